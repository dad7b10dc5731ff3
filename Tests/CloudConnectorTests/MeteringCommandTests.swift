import ConnectorCore
import Foundation
import Testing

@Suite("metering totals and export (real processes)")
struct MeteringCommandTests {
    let november = ["--from", "2026-11-01", "--to", "2026-12-01"]

    @Test("totals: half-open day range, per currency, grouped, exact decimal amounts")
    func totals() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let all = try fixture.json("metering", "totals", "--from", "2026-11-01", "--to", "2026-12-01")
        #expect(all["from"]?.stringValue == "2026-11-01")
        #expect(all["to"]?.stringValue == "2026-12-01")
        #expect(all["group_by"]?.arrayValue == [])
        let rows = try #require(all["totals"]?.arrayValue)
        let byCurrency = Dictionary(uniqueKeysWithValues: rows.map { ($0["currency"]?.stringValue ?? "?", $0) })
        #expect(Set(byCurrency.keys) == ["", "EUR", "USD"], "rep-5 on 2026-12-01 is outside [from, to)")
        #expect(byCurrency["USD"]?["reports"]?.int == 2)
        #expect(byCurrency["USD"]?["cost"]?.stringValue == "0.01275")
        #expect(byCurrency["USD"]?["cost_micros"]?.int == 12_750)
        #expect(byCurrency["USD"]?["total_tokens"]?.int == 2_300, "1500 + 800")
        #expect(byCurrency["EUR"]?["cost"]?.stringValue == "1.50")
        #expect(byCurrency[""]?["cost"]?.stringValue == "0.00")

        let grouped = try fixture.json("metering", "totals", "--from", "2026-11-01", "--to", "2026-12-02", "--group-by", "day,workspace", "--group-by", "model")
        #expect(grouped["group_by"]?.arrayValue == ["day", "workspace", "model"])
        let groupedRows = try #require(grouped["totals"]?.arrayValue)
        #expect(groupedRows.count == 5)
        let december = try #require(groupedRows.first { $0["day"]?.stringValue == "2026-12-01" })
        #expect(december["workspace_id"]?.stringValue == "ws-main")
        #expect(december["model"]?.stringValue == "gpt-4o-mini")
        #expect(december["cost"]?.stringValue == "2.00")
        let noWorkspace = try #require(groupedRows.first { $0["day"]?.stringValue == "2026-11-26" })
        #expect(noWorkspace["workspace_id"]?.stringValue == "")

        let human = try fixture.run("metering", "totals", "--from", "2026-11-01", "--to", "2026-12-01", "--group-by", "day")
        #expect(human.status == 0)
        #expect(human.stdout.contains("2026-11-30  EUR"))
        #expect(human.stdout.contains("1.50"))

        let defaults = try fixture.json("metering", "totals")
        #expect(defaults["from"]?.stringValue != nil && defaults["to"]?.stringValue != nil)

        #expect(try fixture.run("metering", "totals", "--from", "2026-11-31").status == 64)
        #expect(try fixture.run("metering", "totals", "--from", "2026-12-01", "--to", "2026-12-01").status == 64)
        #expect(try fixture.run("metering", "totals", "--group-by", "hour").status == 64)
    }

    @Test("CSV export: header, RFC 4180 quoting, one record per report, keyed by report_id")
    func csvExport() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let result = try fixture.run(["metering", "export", "--format", "csv"] + november)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\r\n"))
        let records = CSVReader.records(result.stdout)
        let header = try #require(records.first)
        #expect(header.first == "report_id")
        let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(rows.map { $0["report_id"] } == ["rep-1", "rep-2", "rep-3", "rep-4"])
        #expect(rows[1]["workspace_id"] == "ws \"north\", eu", "a comma and quotes survive the round trip")
        #expect(rows[1]["cost"] == "0.00025")
        #expect(rows[1]["cost_micros"] == "250")
        #expect(rows[2]["currency"] == "")
        #expect(rows[0]["timestamp"] == "2026-11-24T10:00:04.600Z")
        #expect(rows[0]["day"] == "2026-11-24")
        #expect(rows.allSatisfy { $0.count == header.count })
    }

    @Test("JSONL and CloudEvents exports parse back; CloudEvents carries every required attribute")
    func jsonExports() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let jsonl = try fixture.run(["metering", "export", "--format", "jsonl"] + november)
        #expect(jsonl.status == 0, "\(jsonl)")
        let records = try jsonl.stdoutLines.map { try JSON.parse($0) }
        #expect(records.map { $0["report_id"]?.stringValue } == ["rep-1", "rep-2", "rep-3", "rep-4"])
        #expect(records[3]["cost"]?.stringValue == "1.50")
        #expect(records[3]["currency"]?.stringValue == "EUR")
        #expect(records[0]["total_tokens"]?.int == 1_500)

        let cloudevents = try fixture.run(["metering", "export", "--format", "cloudevents"] + november)
        #expect(cloudevents.status == 0, "\(cloudevents)")
        let events = try cloudevents.stdoutLines.map { try JSON.parse($0) }
        #expect(events.count == 4)
        for event in events {
            #expect(event["specversion"]?.stringValue == "1.0")
            #expect(event["type"]?.stringValue == "mindscape.usage_report")
            #expect(event["source"]?.stringValue == "cloud-connector/\(Fixture.deviceID)")
            #expect(event["datacontenttype"]?.stringValue == "application/json")
            #expect(RFC3339.parseMilliseconds(event["time"]?.stringValue ?? "") != nil)
            #expect(event["id"]?.stringValue == event["data"]?["report_id"]?.stringValue)
            for key in ["request_id", "tenant_id", "workspace_id", "model", "duration_ms", "prompt_tokens", "completion_tokens", "total_tokens", "cost", "currency", "cost_micros"] {
                #expect(event["data"]?[key] != nil, "data.\(key)")
            }
        }
        #expect(events[0]["subject"]?.stringValue == "ws-main")
        #expect(events[0]["time"]?.stringValue == "2026-11-24T10:00:04.600Z")
        #expect(events[0]["data"]?["cost"]?.stringValue == "0.0125")
        #expect(events[2]["subject"]?.stringValue == "tenant:\(Fixture.tenantID)", "no workspace: billed to the tenant")
        #expect(Set(events.compactMap { $0["id"]?.stringValue }).count == 4)
    }

    @Test("the export's sums equal metering totals for the same period, in every format")
    func exportSumsEqualTotals() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        for index in 0..<6 {
            try fixture.append("usage_report", Payloads.usage(
                report: "rep-extra-\(index)", request: "req-x\(index)", prompt: 100 + index, completion: 7 * index,
                cost: "0.00000\(index + 1)", at: "2026-11-1\(index)T12:00:00Z"))
        }
        struct Sums: Equatable {
            var reports: Int64 = 0, tokens: Int64 = 0, duration: Int64 = 0, micros: Int64 = 0
        }
        let totals = try fixture.json(["metering", "totals"] + november)
        var expected: [String: Sums] = [:]
        for row in totals["totals"]?.arrayValue ?? [] {
            expected[row["currency"]?.stringValue ?? "?"] = Sums(
                reports: row["reports"]?.int ?? 0, tokens: row["total_tokens"]?.int ?? 0,
                duration: row["duration_ms"]?.int ?? 0, micros: row["cost_micros"]?.int ?? 0)
        }
        #expect(expected["USD"]?.reports == 8)

        var fromJSONL: [String: Sums] = [:]
        for line in try fixture.run(["metering", "export", "--format", "jsonl"] + november).stdoutLines {
            let record = try JSON.parse(line)
            var sums = fromJSONL[record["currency"]?.stringValue ?? "?", default: Sums()]
            sums.reports += 1
            sums.tokens += record["total_tokens"]?.int ?? 0
            sums.duration += record["duration_ms"]?.int ?? 0
            sums.micros += record["cost_micros"]?.int ?? 0
            fromJSONL[record["currency"]?.stringValue ?? "?"] = sums
        }
        #expect(fromJSONL == expected)

        var fromEvents: [String: Sums] = [:]
        for line in try fixture.run(["metering", "export", "--format", "cloudevents"] + november).stdoutLines {
            let data = try #require(try JSON.parse(line)["data"])
            var sums = fromEvents[data["currency"]?.stringValue ?? "?", default: Sums()]
            sums.reports += 1
            sums.tokens += data["total_tokens"]?.int ?? 0
            sums.duration += data["duration_ms"]?.int ?? 0
            sums.micros += data["cost_micros"]?.int ?? 0
            fromEvents[data["currency"]?.stringValue ?? "?"] = sums
        }
        #expect(fromEvents == expected)

        let csv = CSVReader.records(try fixture.run(["metering", "export", "--format", "csv"] + november).stdout)
        let header = csv[0]
        var fromCSV: [String: Sums] = [:]
        for values in csv.dropFirst() {
            let row = Dictionary(uniqueKeysWithValues: zip(header, values))
            var sums = fromCSV[row["currency"] ?? "?", default: Sums()]
            sums.reports += 1
            sums.tokens += Int64(row["total_tokens"] ?? "") ?? 0
            sums.duration += Int64(row["duration_ms"] ?? "") ?? 0
            // Summed from the decimal text, to show it is exact.
            sums.micros += Self.micros(row["cost"] ?? "")
            fromCSV[row["currency"] ?? "?"] = sums
        }
        #expect(fromCSV == expected)
    }

    /// "0.0125" -> 12500, by integer arithmetic on the text.
    static func micros(_ decimal: String) -> Int64 {
        let parts = decimal.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Int64(parts[0]) ?? 0
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        let padded = (fraction + String(repeating: "0", count: 6)).prefix(6)
        return whole * 1_000_000 + (Int64(padded) ?? 0)
    }

    @Test("--output writes atomically, refuses to overwrite without --force, prints a summary")
    func outputFile() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let path = fixture.root.file("out/usage.csv")
        try FileManager.default.createDirectory(atPath: fixture.root.file("out"), withIntermediateDirectories: true)
        let first = try fixture.run(["metering", "export", "--format", "csv", "--output", path, "--json"] + november)
        #expect(first.status == 0, "\(first)")
        let summary = try JSON.parse(first.stdout)
        #expect(summary["records"]?.int == 4)
        #expect(summary["output"]?.stringValue == path)
        #expect(summary["bytes"]?.int == Int64((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1))
        #expect(listing(fixture.root.file("out")) == ["usage.csv"], "no temporary file left behind")
        let original = FileManager.default.contents(atPath: path)

        let refused = try fixture.run(["metering", "export", "--format", "jsonl", "--output", path] + november)
        #expect(refused.status == 73, "\(refused)")
        #expect(refused.stderr.contains("--force"))
        #expect(FileManager.default.contents(atPath: path) == original)

        let forced = try fixture.run(["metering", "export", "--format", "jsonl", "--output", path, "--force"] + november)
        #expect(forced.status == 0, "\(forced)")
        #expect(forced.stdout.contains("exported 4 usage reports"))
        #expect(try JSON.parse(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self).split(separator: "\n")[0].description)["report_id"]?.stringValue == "rep-1")
        #expect(listing(fixture.root.file("out")) == ["usage.csv"])

        let folder = try fixture.run(["metering", "export", "--format", "csv", "--output", fixture.root.file("out")] + november)
        #expect(folder.status == 73)
        let nowhere = try fixture.run(["metering", "export", "--format", "csv", "--output", fixture.root.file("missing/dir/x.csv")] + november)
        #expect(nowhere.status == 73, "\(nowhere)")
    }

    @Test("--lz4 writes one LZ4 frame that stock lz4 -d decompresses", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/lz4")))
    func lz4Export() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let plain = try fixture.run(["metering", "export", "--format", "cloudevents"] + november)
        let path = fixture.root.file("usage.jsonl.lz4")
        let compressed = try fixture.run(["metering", "export", "--format", "cloudevents", "--lz4", "--output", path] + november)
        #expect(compressed.status == 0, "\(compressed)")
        let decompressed = try CLI.runTool("/usr/bin/lz4", ["-dc", path])
        #expect(decompressed.status == 0, "\(decompressed)")
        #expect(decompressed.stdoutBytes == plain.stdoutBytes)
        #expect(decompressed.stdoutLines.count == 4)

        let piped = try fixture.run(["metering", "export", "--format", "csv", "--lz4"] + november)
        #expect(piped.status == 0)
        let pipedPath = fixture.root.file("piped.lz4")
        _ = FileManager.default.createFile(atPath: pipedPath, contents: Data(piped.stdoutBytes))
        let csv = try CLI.runTool("/usr/bin/lz4", ["-dc", pipedPath])
        #expect(csv.stdout.hasPrefix("report_id,seq,"))
    }
}
