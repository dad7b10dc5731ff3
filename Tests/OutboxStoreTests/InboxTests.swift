import ConnectorCore
@_spi(Faults) @testable import OutboxStore
import Testing

@Suite("Inbox (R11)")
struct InboxTests {
    @Test("a request id is accepted once; close needs it open; retention prunes only old answered rows")
    func lifecycle() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try openStore(directory, clock: clock)
        defer { store.close() }
        let now = clock.nowMilliseconds()
        _ = try await store.append([Drafts.event("req-1", "accepted", data: ["job_type": "tool"])],
            rows: InboxRows.open("req-1", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: now))
        await #expect(throws: OutboxError.self) {
            _ = try await store.append([Drafts.event("req-1", "accepted", data: ["job_type": "tool"])],
                rows: InboxRows.open("req-1", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: now))
        }
        #expect(try store.makeReader().sequenceState().lastSeq == 1, "the refused unit wrote nothing")
        _ = try await store.append([Drafts.event("req-1", "completed", data: ["result": [:]])],
            rows: InboxRows.close("req-1", outcome: "completed", atMS: now + 10))
        await #expect(throws: OutboxError.self) {
            _ = try await store.append([Drafts.event("req-1", "completed", data: ["result": [:]])],
                rows: InboxRows.close("req-1", outcome: "completed", atMS: now + 20))
        }
        _ = try await store.append([Drafts.event("req-2", "accepted", data: ["job_type": "tool"])],
            rows: InboxRows.open("req-2", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: now))
        #expect(try store.makeReader().openInboxEntries(kind: .executionRequest).map(\.requestID) == ["req-2"])
        #expect(try store.pruneInbox(answeredBeforeMS: now + 10) == 0, "answered at +10, not before it")
        #expect(try store.pruneInbox(answeredBeforeMS: now + 11) == 1)
        #expect(try store.makeReader().inboxEntry(requestID: "req-1") == nil)
        #expect(try store.makeReader().inboxEntry(requestID: "req-2")?.isOpen == true, "open rows are never pruned")
    }
}
