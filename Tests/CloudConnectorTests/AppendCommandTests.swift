import ConnectorCore
import Foundation
import OutboxStore
import Testing

@Suite("outbox append (real processes)")
struct AppendCommandTests {
    @Test("each message type appends with increasing seqs; the store, data dir and id are created on first append")
    func appendsEachType() throws {
        let fixture = Fixture()
        let first = try fixture.run("outbox", "append", "--type", "execution_event", "--payload",
                                    Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z"), "--json")
        #expect(first.status == 0, "\(first)")
        let value = try JSON.parse(first.stdout)
        #expect(value["seq"]?.int == 1)
        #expect(MessageID(string: value["id"]?.stringValue ?? "") != nil)
        #expect(value["type"]?.stringValue == "execution_event")
        #expect(value["duplicate"]?.boolValue == false)
        #expect(RFC3339.parseMilliseconds(value["ts"]?.stringValue ?? "") != nil)
        #expect(permissions(fixture.dataDir) == 0o700)
        #expect(permissions(fixture.dataDir + "/outbox.sqlite") == 0o600)

        #expect(try fixture.append("usage_report", Payloads.usage(report: "rep-1", request: "req-1", at: "2026-11-24T10:00:05Z")) == 2)
        #expect(try fixture.append("messaging_reply", Payloads.reply("msg-1", replyToken: "tok", at: "2026-11-24T10:00:06Z")) == 3)

        let human = try fixture.run("outbox", "append", "--type", "execution_event", "--payload",
                                    Payloads.started("req-1", event: "ev-2", at: "2026-11-24T10:00:01Z"))
        #expect(human.status == 0)
        #expect(human.stdout.hasPrefix("appended seq 4 id "))
    }

    @Test("--payload - reads stdin")
    func fromStdin() throws {
        let fixture = Fixture()
        let result = try fixture.run(
            "outbox", "append", "--type", "usage_report", "--payload", "-", "--json",
            stdin: Payloads.usage(report: "rep-stdin", request: "req-9", at: "2026-11-24T10:00:05Z"))
        #expect(result.status == 0, "\(result)")
        #expect(try JSON.parse(result.stdout)["seq"]?.int == 1)
    }

    @Test("the same event_id with the same content is a duplicate: same seq, nothing new")
    func duplicate() throws {
        let fixture = Fixture()
        let payload = Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z")
        let seq = try fixture.append("execution_event", payload)
        let again = try fixture.json("outbox", "append", "--type", "execution_event", "--payload", payload)
        #expect(again["seq"]?.int == seq)
        #expect(again["duplicate"]?.boolValue == true)
        #expect(try fixture.json("outbox", "stats")["last_seq"]?.int == 1)

        let conflicting = try fixture.run("outbox", "append", "--type", "execution_event", "--payload",
                                          Payloads.accepted("req-1", event: "ev-1", jobType: "tool", at: "2026-11-24T10:00:00Z"))
        #expect(conflicting.status == 65, "\(conflicting)")
        #expect(conflicting.stderr.contains("already stored as seq 1"))
    }

    @Test("bad JSON or an invalid payload exits 65 with the reason, and creates nothing", arguments: [
        ("execution_event", "{\"event_id\": \"ev-1\",", "not valid JSON"),
        ("execution_event", "[1, 2]", "payload: must be an object"),
        ("usage_report", "{\"report_id\":\"r\"}", "payload.request_id: is required"),
        ("execution_event", "{\"event_id\":\"e\",\"request_id\":\"r\",\"event_type\":\"progress\",\"data\":{\"progress\":1.5},\"timestamp\":\"2026-11-24T10:00:00Z\"}", "payload.data.progress"),
        ("messaging_reply", "{\"request_id\":\"r\",\"channel\":\"line\",\"user_id\":\"u\",\"channel_config_id\":\"c\",\"device_id\":\"d\",\"result\":{\"status\":\"completed\"},\"timestamp\":\"2026-11-24T10:00:00Z\"}", "payload.reply_token: is required"),
        ("usage_report", "{\"report_id\":\"r\",\"request_id\":\"q\",\"executor_device_id\":\"d\",\"tenant_id\":\"t\",\"metrics\":{\"duration_ms\":1},\"timestamp\":\"yesterday\"}", "payload.timestamp: must be an RFC 3339 time"),
    ])
    func badInputWritesNothing(type: String, payload: String, reason: String) throws {
        let fixture = Fixture()
        let result = try fixture.run("outbox", "append", "--type", type, "--payload", payload)
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(result.stderr.contains("Nothing was written"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir), "not even the data directory is created")
    }

    @Test("bad input beside an existing store leaves it untouched")
    func badInputExistingStore() throws {
        let fixture = Fixture()
        try fixture.append("execution_event", Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z"))
        for (type, payload) in [("usage_report", "{oops"), ("usage_report", Payloads.usage(report: "r", request: "q", tenant: "someone-else", at: "2026-11-24T10:00:00Z"))] {
            let result = try fixture.run("outbox", "append", "--type", type, "--payload", payload)
            #expect(result.status == 65, "\(result)")
        }
        let oversized = "{\"event_id\":\"big\",\"request_id\":\"r\",\"event_type\":\"completed\",\"data\":{\"result\":\"\(String(repeating: "x", count: 1_100_000))\"},\"timestamp\":\"2026-11-24T10:00:00Z\"}"
        let tooLarge = try fixture.run("outbox", "append", "--type", "execution_event", "--payload", "-", stdin: oversized)
        #expect(tooLarge.status == 65, "\(tooLarge)")
        #expect(tooLarge.stderr.contains("R3"))
        let stats = try fixture.json("outbox", "stats")
        #expect(stats["last_seq"]?.int == 1)
        #expect(stats["held_messages"]?.int == 1)
    }

    @Test("usage errors exit 64")
    func usageErrors() throws {
        let fixture = Fixture()
        #expect(try fixture.run("outbox", "append", "--type", "heartbeat", "--payload", "{}").status == 64)
        #expect(try fixture.run("outbox", "append", "--type", "execution_event").status == 64)
        #expect(try fixture.run("outbox", "frobnicate").status == 64)
        #expect(try fixture.run("outbox", "inspect", "--limit", "0").status == 64)
        #expect(try fixture.run("outbox", "inspect", "--since", "last tuesday").status == 64)
    }

    @Test("bad configuration exits 78 before anything is created")
    func badConfiguration() throws {
        let fixture = Fixture()
        let payload = Payloads.started("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z")
        for environment in [["CLOUD_WS_URL": "http://cloud.example"], ["OUTBOX_MAX_BYTES": "huge"], ["DEVICE_ID": "has space"], ["OUTBOX_DURABILITY": "off"]] {
            let result = try fixture.run("outbox", "append", "--type", "execution_event", "--payload", payload, environment: environment)
            #expect(result.status == 78, "\(environment): \(result)")
            #expect(result.stderr.contains(environment.keys.first!), "the message names the variable")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir))
    }
}
