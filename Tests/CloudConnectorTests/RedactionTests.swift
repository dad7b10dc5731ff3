import ConnectorCore
import Foundation
import Testing

@Suite("Secrets never appear in output unless peek --reveal (real processes)")
struct RedactionTests {
    static let nestedSecret = "sk-live-NESTEDapiKEY0042"

    /// Every command that reads the store, as a user would run it (human and --json), with the
    /// seq of the messaging_reply and of an event whose result carries an api_key.
    static func commands(replySeq: Int64, eventSeq: Int64) -> [[String]] {
        let november = ["--from", "2026-11-01", "--to", "2026-12-02"]
        var commands: [[String]] = [
            ["outbox", "inspect"], ["outbox", "inspect", "--json"], ["outbox", "inspect", "--request", "msg-1"],
            ["outbox", "stats"], ["outbox", "stats", "--json"],
            ["outbox", "peek", String(replySeq)], ["outbox", "peek", String(replySeq), "--json"],
            ["outbox", "peek", String(eventSeq)], ["outbox", "peek", String(eventSeq), "--json"],
            ["timeline", "req-1"], ["timeline", "req-1", "--json"], ["timeline", "req-secret"], ["timeline", "msg-1"],
            ["outbox", "verify"], ["outbox", "verify", "--json"], ["outbox", "rebuild"],
            ["metering", "totals"], ["device"], ["device", "--json"],
        ]
        for format in ["csv", "jsonl", "cloudevents"] {
            commands.append(["metering", "export", "--format", format] + november)
        }
        return commands
    }

    /// Populates the store and returns the commands whose combined stdout+stderr shows a secret.
    static func leaks(_ fixture: Fixture, environment: [String: String] = [:]) throws -> [String] {
        var leaked: [String] = []
        let replySeq: Int64 = 12
        let eventSeq: Int64 = 13
        for command in commands(replySeq: replySeq, eventSeq: eventSeq) {
            let result = try fixture.run(command, environment: environment)
            #expect(result.status == 0 || command.first == "timeline", "\(command): \(result)")
            if result.combined.contains(Scenario.secretReplyToken) || result.combined.contains(nestedSecret) {
                leaked.append(command.joined(separator: " "))
            }
        }
        return leaked
    }

    static func populate(_ fixture: Fixture) throws {
        try Scenario.populate(fixture)
        let event = """
            {"event_id":"ev-s","request_id":"req-secret","event_type":"completed","data":{"result":{"integration":{"name":"crm","api_key":"\(nestedSecret)"}}},"timestamp":"2026-11-25T10:00:00Z"}
            """
        let appended = try fixture.run("outbox", "append", "--type", "execution_event", "--payload", event)
        #expect(appended.status == 0)
        #expect(!appended.combined.contains(nestedSecret), "append never echoes the payload")
    }

    @Test("reply_token and nested api keys are redacted in every command's output")
    func redactedEverywhere() throws {
        let fixture = Fixture()
        try Self.populate(fixture)
        #expect(try Self.leaks(fixture) == [])

        let peek = try fixture.json("outbox", "peek", "12")
        #expect(peek["envelope"]?["payload"]?["reply_token"]?.stringValue == "[redacted]")
        #expect(peek["redacted"]?.boolValue == true)
        let nested = try fixture.json("outbox", "peek", "13")
        #expect(nested["envelope"]?["payload"]?["data"]?["result"]?["integration"]?["api_key"]?.stringValue == "[redacted]")
        #expect(nested["envelope"]?["payload"]?["data"]?["result"]?["integration"]?["name"]?.stringValue == "crm")
    }

    @Test("peek --reveal shows the secret")
    func reveal() throws {
        let fixture = Fixture()
        try Self.populate(fixture)
        let human = try fixture.run("outbox", "peek", "12", "--reveal")
        #expect(human.status == 0)
        #expect(human.stdout.contains(Scenario.secretReplyToken))
        let json = try fixture.json("outbox", "peek", "12", "--reveal")
        #expect(json["envelope"]?["payload"]?["reply_token"]?.stringValue == Scenario.secretReplyToken)
        #expect(json["redacted"]?.boolValue == false)
        #expect(try fixture.run("outbox", "peek", "13", "--reveal").stdout.contains(Self.nestedSecret))
    }

    @Test("negative control: with the skipRedaction fault the same check finds the leak")
    func negativeControl() throws {
        let fixture = Fixture()
        try Self.populate(fixture)
        let leaked = try Self.leaks(fixture, environment: ["CLOUD_CONNECTOR_TEST_FAULTS": "skipRedaction"])
        #expect(!leaked.isEmpty, "the redaction check must be able to fail")
        #expect(leaked.contains("outbox peek 12"))
        #expect(leaked.contains("outbox peek 13 --json"))
        // Only the redaction fault is honoured from the environment: the store's other faults are not.
        let ignored = try fixture.run("outbox", "peek", "12", environment: ["CLOUD_CONNECTOR_TEST_FAULTS": "skipFsync,returnBeforeCommit"])
        #expect(!ignored.combined.contains(Scenario.secretReplyToken))
    }
}
