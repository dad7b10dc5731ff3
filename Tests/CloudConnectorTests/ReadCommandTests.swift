import ConnectorCore
import Foundation
import OutboxStore
import Testing

@Suite("Read commands (real processes)")
struct ReadCommandTests {
    static let readCommands: [[String]] = [
        ["outbox", "inspect"], ["outbox", "stats"], ["outbox", "peek", "1"], ["outbox", "verify"],
        ["outbox", "rebuild"], ["outbox", "prune"], ["timeline", "req-1"], ["metering", "totals"],
        ["metering", "export", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "csv"],
    ]

    @Test("on a data directory without an outbox, read commands exit 66 and create nothing", arguments: readCommands)
    func noStore(command: [String]) throws {
        let fixture = Fixture()
        // A data directory that does not exist at all...
        let missing = try fixture.run(command)
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("no outbox at \(fixture.dataDir)/outbox.sqlite"))
        #expect(missing.stderr.contains("nothing has been appended yet"))
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir))
        // ...and one that exists but is empty, with and without DEVICE_ID.
        try FileManager.default.createDirectory(atPath: fixture.dataDir, withIntermediateDirectories: true)
        #expect(try fixture.run(command).status == 66)
        #expect(try fixture.run(command, environment: ["DEVICE_ID": ""]).status == 66)
        #expect(listing(fixture.dataDir).isEmpty)
    }

    @Test("inspect: columns, filters, and paging past the limit")
    func inspect() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let table = try fixture.run("outbox", "inspect")
        #expect(table.status == 0, "\(table)")
        let header = try #require(table.stdoutLines.first)
        for column in ["seq", "id", "type", "request", "event", "age", "raw", "stored", "acked"] {
            #expect(header.contains(column))
        }
        #expect(table.stdoutLines.count == Int(Scenario.messages) + 2)
        #expect(table.stdoutLines.last == "12 messages shown")

        func seqs(_ arguments: String...) throws -> [Int64] {
            let result = try fixture.run(["outbox", "inspect", "--json"] + arguments)
            #expect(result.status == 0, "\(result)")
            return try result.stdoutLines.map { try JSON.parse($0)["seq"]?.int ?? -1 }
        }
        #expect(try seqs() == Array(1...12))
        #expect(try seqs("--type", "usage_report") == [5, 8, 9, 10, 11])
        #expect(try seqs("--request", "req-2") == [6, 7, 8])
        #expect(try seqs("--from-seq", "3", "--to-seq", "5") == [3, 4, 5])
        #expect(try seqs("--limit", "2") == [1, 2])
        #expect(try seqs("--since", "1h") == Array(1...12))
        #expect(try seqs("--until", "1h").isEmpty)
        #expect(try seqs("--since", "2020-01-01T00:00:00Z", "--until", "2099-01-01") == Array(1...12))

        let store = try fixture.openStore()
        _ = try store.acknowledgeAndWait(through: 4)
        store.close()
        #expect(try seqs("--state", "acked") == [1, 2, 3, 4])
        #expect(try seqs("--state", "pending", "--type", "execution_event") == [6, 7])

        let line = try JSON.parse(try #require(try fixture.run("outbox", "inspect", "--json", "--limit", "1").stdoutLines.first))
        for key in ["seq", "id", "type", "request_id", "event_type", "natural_key", "created_at", "event_at", "age_ms", "raw_size", "stored_size", "codec", "acked"] {
            #expect(line[key] != nil, "inspect --json line has \(key)")
        }
        #expect(line["acked"]?.boolValue == true)
        #expect(line["event_type"]?.stringValue == "accepted")

        let limited = try fixture.run("outbox", "inspect", "--limit", "5")
        #expect(limited.stdoutLines.last == "5 messages shown; more match: continue with --from-seq 6")
    }

    @Test("inspect pages through a large store in order (more than one page)")
    func inspectPaging() async throws {
        let fixture = Fixture()
        try fixture.append("execution_event", Payloads.accepted("req-0", event: "ev-0", at: "2026-11-24T10:00:00Z"))
        let store = try fixture.openStore()
        for index in 1...1_199 {
            _ = try await store.append(MessageDraft(type: .executionEvent, payload: try JSON.parse(
                Payloads.progress("req-0", event: "ev-\(index)", fraction: "0.5", message: "step \(index)", at: "2026-11-24T10:00:01Z"))))
        }
        store.close()
        let result = try fixture.run("outbox", "inspect", "--json", "--limit", "1100", "--from-seq", "50")
        #expect(result.status == 0)
        let seqs = try result.stdoutLines.map { try JSON.parse($0)["seq"]?.int ?? -1 }
        #expect(seqs == Array(50...1149))
    }

    @Test("stats: counts by type and state, seqs, sizes and bound")
    func stats() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let store = try fixture.openStore()
        _ = try store.acknowledgeAndWait(through: 5)
        store.close()
        let stats = try fixture.json("outbox", "stats", "--max-outbox-bytes", "64MiB")
        #expect(stats["last_seq"]?.int == 12)
        #expect(stats["acked_seq"]?.int == 5)
        #expect(stats["pruned_through"]?.int == 0)
        #expect(stats["held_messages"]?.int == 12)
        #expect(stats["pending_messages"]?.int == 7)
        #expect(stats["max_outbox_bytes"]?.int == 64 << 20)
        #expect((stats["held_bytes"]?.int ?? 0) > 0)
        #expect((stats["bytes_on_disk"]?.int ?? 0) > 0)
        #expect((stats["oldest_pending_age_ms"]?.int ?? -1) >= 0)
        #expect(stats["oldest_pending_created_at"]?.stringValue != nil)
        #expect(stats["ledger_reports"]?.int == 5)
        #expect(stats["executions"]?.int == 2)
        #expect(stats["dropped_messages"]?.int == 0)
        #expect(stats["seq_jumps"]?.int == 0)
        let buckets = try #require(stats["by_type"]?.arrayValue)
        #expect(buckets.count == 6)
        func count(_ type: String, _ state: String) -> Int64? {
            buckets.first { $0["type"]?.stringValue == type && $0["state"]?.stringValue == state }?["messages"]?.int
        }
        #expect(count("execution_event", "acked") == 4)
        #expect(count("execution_event", "pending") == 2)
        #expect(count("usage_report", "acked") == 1)
        #expect(count("usage_report", "pending") == 4)
        #expect(count("messaging_reply", "pending") == 1)
        #expect(count("messaging_reply", "acked") == 0)

        let human = try fixture.run("outbox", "stats")
        #expect(human.status == 0)
        #expect(human.stdout.contains("acked seq       5"))
        #expect(human.stdout.contains("held bytes"))
    }

    @Test("peek: the envelope as sent, pretty JSON; unknown seq exits 66")
    func peek() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let result = try fixture.json("outbox", "peek", "5")
        let envelope = try #require(result["envelope"])
        #expect(envelope["type"]?.stringValue == "usage_report")
        #expect(envelope["seq"]?.int == 5)
        #expect(MessageID(string: envelope["id"]?.stringValue ?? "") != nil)
        #expect(envelope["payload"]?["report_id"]?.stringValue == "rep-1")
        #expect(envelope["payload"]?["metrics"]?["cost_estimate"]?["amount"]?.numberValue?.literal == "0.0125")
        #expect(result["acked"]?.boolValue == false)

        let human = try fixture.run("outbox", "peek", "5")
        #expect(human.status == 0)
        #expect(human.stdout.contains("\"report_id\": \"rep-1\""))
        let missing = try fixture.run("outbox", "peek", "99")
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("no message with seq 99"))
    }

    @Test("timeline: summary and events with deltas; unknown request exits 66")
    func timeline() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let value = try fixture.json("timeline", "req-1")
        #expect(value["request_id"]?.stringValue == "req-1")
        #expect(value["job_type"]?.stringValue == "playbook")
        #expect(value["status"]?.stringValue == "completed")
        #expect(value["first_event_at"]?.stringValue == "2026-11-24T10:00:00.000Z")
        #expect(value["last_event_at"]?.stringValue == "2026-11-24T10:00:04.500Z")
        #expect(value["duration_ms"]?.int == 4_500)
        #expect(value["event_count"]?.int == 4)
        #expect(value["retired_events"]?.int == 0)
        let events = try #require(value["events"]?.arrayValue)
        #expect(events.map { $0["event_type"]?.stringValue } == ["accepted", "started", "progress", "completed"])
        #expect(events.map { $0["delta_ms"]?.int } == [nil, 250, 1_750, 2_500])
        #expect(events[2]["detail"]?.stringValue == "50% fetched sources")

        let failed = try fixture.run("timeline", "req-2")
        #expect(failed.status == 0)
        #expect(failed.stdout.contains("failed"))
        #expect(failed.stdout.contains("tool_timeout: search_web did not answer within 30000 ms (retryable)"))
        #expect(failed.stdout.contains("+30s"))

        let unknown = try fixture.run("timeline", "req-nope")
        #expect(unknown.status == 66, "\(unknown)")
        #expect(unknown.stderr.contains("no execution with request_id req-nope"))
    }

    @Test("verify is clean on a healthy store, names a tampered row and exits 1; rebuild repairs it")
    func verifyAndRebuild() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let clean = try fixture.run("outbox", "verify")
        #expect(clean.status == 0, "\(clean)")
        #expect(clean.stdout.contains("verify: clean"))
        let healthy = try fixture.json("outbox", "rebuild")
        #expect(healthy["differences"]?.int == 0)
        #expect(healthy["executions"]?.int == 2)
        #expect(healthy["ledger_rows"]?.int == 5)

        try StoreTampering.run(fixture, "UPDATE usage_ledger SET total_tokens = total_tokens + 7 WHERE report_id = 'rep-2'")
        let tampered = try fixture.run("outbox", "verify")
        #expect(tampered.status == 1, "\(tampered)")
        #expect(tampered.stdout.contains("[usage_ledger] report rep-2"))
        #expect(tampered.stdout.contains("total_tokens"))
        let json = try fixture.run("outbox", "verify", "--json")
        #expect(json.status == 1)
        let report = try JSON.parse(json.stdout)
        #expect(report["clean"]?.boolValue == false)
        #expect(report["findings"]?.arrayValue?.contains { $0["check"]?.stringValue == "usage_ledger" } == true)

        let rebuilt = try fixture.json("outbox", "rebuild")
        #expect((rebuilt["differences"]?.int ?? 0) >= 1)
        #expect(try fixture.run("outbox", "verify").status == 0)
    }
}
