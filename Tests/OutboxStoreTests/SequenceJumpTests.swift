import ConnectorCore
@_spi(Faults) @testable import OutboxStore
import Testing

/// R7 when the store was lost: messages appended before the first connect_ack sit under seqs the
/// cloud holds for other messages. They must move past the cloud's ack with their ids, and the
/// projections with them.
@Suite("R7 seq jump with held messages")
struct SequenceJumpTests {
    /// Appends an execution with usage and a reply (5 messages), then an ack far above them.
    static func jump(faults: OutboxFaults) throws -> (before: [AppendedMessage], held: [StoredMessage], store: OutboxStore, dir: TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults)
        let before = try store.appendAndWait([
            Drafts.event("req-1", "accepted", data: ["job_type": "tool"]),
            Drafts.event("req-1", "started", at: "2026-11-24T10:00:01.000Z"),
            Drafts.event("req-1", "completed", data: ["result": [:]], at: "2026-11-24T10:00:04.000Z"),
            Drafts.usage("req-1", tokens: 500),
            Drafts.reply("msg-1"),
        ])
        let outcome = try store.acknowledgeAndWait(through: 30)
        #expect(outcome.jumpedFrom == 5)
        let held = try store.makeReader().pendingPage(after: 0, limit: 100)
        return (before, held, store, directory)
    }

    @Test("held messages move past the cloud's ack with ids, payloads and projections intact")
    func heldMessagesMovePastTheAck() throws {
        let (before, held, store, directory) = try Self.jump(faults: [])
        defer { store.close(); _ = directory }
        #expect(held.map(\.seq) == [31, 32, 33, 34, 35])
        #expect(held.map(\.id) == before.map(\.id), "ids are the idempotency keys: they must not change")
        let reader = try store.makeReader()
        #expect(try reader.sequenceState().lastSeq == 35)
        let report = try reader.verify()
        #expect(report.isClean, "\(report.findings)")
        let timeline = try #require(try reader.timeline(requestID: "req-1"))
        #expect(timeline.events.map(\.seq) == [31, 32, 33])
        #expect(try store.appendAndWait([Drafts.reply("msg-2")])[0].seq == 36)
    }

    @Test("negative control: without renumbering the held messages count as acked and are never sent")
    func withoutRenumberingTheyAreLost() throws {
        let (_, held, store, directory) = try Self.jump(faults: .noRenumbering)
        defer { store.close(); _ = directory }
        #expect(held.isEmpty)
    }
}
