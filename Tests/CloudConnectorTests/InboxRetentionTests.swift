@testable import CloudConnector
import Executors
import Foundation
import Logging
import OutboxStore
import Synchronization
import Testing

/// R11's memory has an end: the service prunes answered request ids older than `inbox_retention`,
/// and never a request still open (a crash left it running; the next start must end it, R13).
@Suite("inbox retention, as the service prunes it")
struct InboxRetentionTests {
    @Test("answered requests older than the retention go; younger ones and open ones stay")
    func pruneKeepsWhatRetentionCovers() async throws {
        let fixture = Fixture()
        let store = try fixture.openStore()
        defer { store.close() }
        let day: Int64 = 86_400_000
        let start: Int64 = 1_800_000_000_000
        _ = try await store.append([], rows: InboxRows.answered("req-old", kind: .executionRequest, jobType: "tool", outcome: "completed", atMS: start))
        _ = try await store.append([], rows: InboxRows.answered("req-young", kind: .messagingEvent, jobType: nil, outcome: "replied", atMS: start + 2 * day))
        _ = try await store.append([], rows: InboxRows.open("req-open", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: start))

        let clock = SettableClock(start + 3 * day + 1)
        let transport = TransportHandler(
            store: store, executor: CommandExecutor(handlersDirectory: fixture.dataDir + "/handlers"),
            deviceID: Fixture.deviceID, tenantID: Fixture.tenantID, logger: Logger(label: "test.retention"), clock: clock)
        await transport.pruneInbox(retention: .seconds(2 * 86_400), logger: Logger(label: "test.retention"))

        let reader = try store.makeReader()
        #expect(try reader.inboxEntry(requestID: "req-old") == nil, "answered 3 days ago, kept 2")
        #expect(try reader.inboxEntry(requestID: "req-young") != nil, "answered a day ago")
        #expect(try reader.inboxEntry(requestID: "req-open")?.isOpen == true, "open rows are never pruned")

        // The cutoff is the retention before now: a day later the young one goes too.
        clock.set(start + 4 * day + 1)
        await transport.pruneInbox(retention: .seconds(2 * 86_400), logger: Logger(label: "test.retention"))
        #expect(try reader.inboxEntry(requestID: "req-young") == nil)
        #expect(try reader.inboxEntry(requestID: "req-open") != nil)
    }
}

private final class SettableClock: WallClock {
    private let now: Mutex<Int64>
    init(_ now: Int64) { self.now = Mutex(now) }
    func set(_ value: Int64) { now.withLock { $0 = value } }
    func nowMilliseconds() -> Int64 { now.withLock { $0 } }
}
