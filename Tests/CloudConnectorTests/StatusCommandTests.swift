import ConnectorCore
import Foundation
import OutboxStore
import Synchronization
import Testing

@Suite("cloud-connector status")
struct StatusCommandTests {
    @Test("without an outbox: exit 66 and nothing created")
    func noOutbox() throws {
        let fixture = Fixture()
        let result = try fixture.run("status")
        #expect(result.status == 66, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir))
    }

    @Test("a store no service ever ran on: link never run, backlog from the store")
    func neverRun() throws {
        let fixture = Fixture()
        try fixture.append("messaging_reply", Payloads.reply("msg-1", replyToken: "reply-token-1", at: "2026-11-24T10:00:00.000Z"))
        let json = try fixture.json("status")
        #expect(json["link"] == .null)
        #expect(json["service"]?["running"] == .bool(false))
        #expect(json["outbox"]?["pending"]?.int == 1)
        #expect(json["outbox"]?["last_seq"]?.int == 1)
        #expect(json["outbox"]?["oldest_pending_created_at"]?.stringValue != nil)
        #expect((json["outbox"]?["oldest_pending_age_ms"]?.int ?? -1) >= 0)
        let text = try fixture.run("status")
        #expect(text.stdout.contains("never run: start the service with `cloud-connector run`"), "\(text)")
        #expect(text.stdout.contains("pending         1 messages"), "\(text)")
        #expect(text.stdout.contains("oldest pending  ") && text.stdout.contains(" ago ("), "\(text)")
    }

    @Test("a report left by a service that is gone reads 'not running', with the last state and pid")
    func reporterGone() throws {
        let fixture = Fixture()
        let store = try fixture.openStore()
        let record = LinkStatusRecord(
            state: "live", sessionID: "s-1", lastError: "the connection was lost", connectAttempts: 4, sessions: 2,
            messagesSent: 10, messagesResent: 3, cloudURL: "ws://cloud.example/ws", pid: 999_999, startedAtMS: 1,
            updatedAtMS: 2)
        try Self.record(record, in: store)
        store.close()
        let json = try fixture.json("status")
        #expect(json["link"]?["state"]?.stringValue == "not running")
        #expect(json["link"]?["reported_state"]?.stringValue == "live")
        #expect(json["link"]?["reconnects"]?.int == 3)
        #expect(json["link"]?["messages_resent"]?.int == 3)
        #expect(json["link"]?["session_id"]?.stringValue == "s-1")
        #expect(json["link"]?["last_error"]?.stringValue == "the connection was lost")
        #expect(json["link"]?["cloud_url"]?.stringValue == "ws://cloud.example/ws")
        #expect(json["outbox"]?["acked_seq"]?.int == 0)
        let text = try fixture.run("status").stdout
        #expect(text.contains("not running (last reported live by pid 999999)"), "\(text)")
        #expect(text.contains("10 messages, 3 of them resends"), "\(text)")
        #expect(text.contains("session         s-1"), "\(text)")
        #expect(text.contains("last error      the connection was lost"), "\(text)")
        #expect(text.contains("reconnects      3 (2 sessions)"), "\(text)")
    }

    static func record(_ record: LinkStatusRecord, in store: OutboxStore) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, OutboxError>?>(nil)
        store.recordLinkStatus(record) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }?.get()
    }
}
