import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import SQLiteDB
import Testing
import TrafficGenerator

/// Projections are written in the same transaction as the log and must reconcile with it. The
/// expected figures here are computed independently, from the drafts the test appended.
@Suite("Projections: usage ledger, metering totals, execution timelines")
struct ProjectionTests {
    struct Appended {
        let store: OutboxStore
        let drafts: [MessageDraft]
        let directory: TemporaryDirectory
    }

    static func fill(_ count: Int, faults: OutboxFaults = [], seed: UInt64 = 11) async throws -> Appended {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults)
        var generator = traffic(seed: seed)
        var drafts: [MessageDraft] = []
        while drafts.count < count {
            let execution = generator.execution()
            drafts += execution
            // Whole executions as one unit, some message by message: both paths must project alike.
            if drafts.count % 3 == 0 {
                _ = try await store.append(execution)
            } else {
                for draft in execution { _ = try await store.append(draft) }
            }
        }
        return Appended(store: store, drafts: drafts, directory: directory)
    }

    /// Totals by (day, model, currency) from the drafts themselves.
    static func expectedTotals(_ drafts: [MessageDraft]) throws -> [String: (reports: Int64, tokens: Int64, micros: Int64)] {
        var totals: [String: (reports: Int64, tokens: Int64, micros: Int64)] = [:]
        for draft in drafts where draft.type == .usageReport {
            let payload = draft.payload
            let metrics = payload["metrics"]
            let day = String(try #require(payload["timestamp"]?.stringValue).prefix(10))
            let model = metrics?["model"]?.stringValue ?? ""
            let currency = metrics?["cost_estimate"]?["currency"]?.stringValue ?? ""
            let key = "\(day)|\(model)|\(currency)"
            var total = totals[key] ?? (0, 0, 0)
            total.reports += 1
            total.tokens += metrics?["token_usage"]?["total_tokens"]?.numberValue?.int64 ?? 0
            total.micros += metrics?["cost_estimate"]?["amount"]?.numberValue?.micros ?? 0
            totals[key] = total
        }
        return totals
    }

    static func liveTotals(_ store: OutboxStore) throws -> [String: (reports: Int64, tokens: Int64, micros: Int64)] {
        var totals: [String: (reports: Int64, tokens: Int64, micros: Int64)] = [:]
        for row in try store.makeReader().meteringTotals(fromDay: "0000-01-01", toDay: "9999-12-31", groupBy: [.day, .model]) {
            totals["\(row.day!)|\(row.model!)|\(row.currency)"] = (row.reports, row.totalTokens, row.costMicros)
        }
        return totals
    }

    static func totalsMatch(_ appended: Appended) throws -> Bool {
        let expected = try expectedTotals(appended.drafts)
        let live = try liveTotals(appended.store)
        return expected.count == live.count && expected.allSatisfy { key, value in
            live[key].map { $0 == value } ?? false
        }
    }

    @Test("metering totals equal the usage reports appended, and verify reconciles everything")
    func totalsReconcile() async throws {
        let appended = try await Self.fill(1_500)
        defer { appended.store.close() }
        #expect(try Self.totalsMatch(appended))
        let report = try appended.store.makeReader().verify()
        #expect(report.isClean, "\(report.findings)")
        #expect(report.ledgerRowsChecked == Int64(appended.drafts.filter { $0.type == .usageReport }.count))
    }

    @Test("negative control: a forgotten ledger row breaks the totals and verify names it")
    func forgottenLedgerRowIsCaught() async throws {
        let appended = try await Self.fill(300, faults: .forgetLedgerRow)
        defer { appended.store.close() }
        #expect(try !Self.totalsMatch(appended))
        let report = try appended.store.makeReader().verify()
        #expect(report.findings.contains { $0.check == "usage_ledger" && $0.message.contains("has no ledger row") })
    }

    @Test("timelines: one row per request with job type, status, times and duration")
    func timelinesMatchEvents() async throws {
        let appended = try await Self.fill(800)
        defer { appended.store.close() }
        let reader = try appended.store.makeReader()
        var byRequest: [String: [JSONValue]] = [:]
        for draft in appended.drafts where draft.type == .executionEvent {
            byRequest[draft.payload["request_id"]!.stringValue!, default: []].append(draft.payload)
        }
        for (requestID, events) in byRequest {
            let timeline = try #require(try reader.timeline(requestID: requestID))
            #expect(timeline.events.count == events.count)
            #expect(timeline.events.map(\.eventType.rawValue) == events.map { $0["event_type"]!.stringValue! })
            #expect(timeline.summary.jobType == events.first?["data"]?["job_type"]?.stringValue)
            let terminal = try #require(events.last)
            #expect(timeline.summary.status.rawValue == terminal["event_type"]?.stringValue)
            let first = RFC3339.parseMilliseconds(events.first!["timestamp"]!.stringValue!)!
            let last = RFC3339.parseMilliseconds(terminal["timestamp"]!.stringValue!)!
            #expect(timeline.summary.durationMS == last - first)
        }
        #expect(try reader.db.int64("SELECT count(*) FROM executions") == Int64(byRequest.count))
    }

    @Test("verify flags a hand-tampered totals row and a hand-deleted log row")
    func verifyFlagsTampering() async throws {
        let appended = try await Self.fill(400)
        let path = appended.store.path
        appended.store.close()
        let db = try Database(path: path)
        db.setBusyTimeout(milliseconds: 5_000)
        try db.execute("UPDATE metering_totals SET total_tokens = total_tokens + 7 WHERE day = (SELECT min(day) FROM metering_totals)")
        let victim = try db.int64("SELECT seq FROM outbox WHERE type = 3 ORDER BY seq LIMIT 1")
        try db.execute("DELETE FROM outbox WHERE seq = \(victim)")
        let usage = try db.int64("SELECT seq FROM outbox WHERE type = 2 ORDER BY seq DESC LIMIT 1")
        try db.execute("DELETE FROM outbox WHERE seq = \(usage)")
        let store = try openStore(appended.directory)
        defer { store.close() }
        let report = try store.makeReader().verify()
        #expect(report.findings.contains { $0.check == "metering_totals" && $0.message.contains("total_tokens") })
        #expect(report.findings.contains { $0.check == "seq" && $0.message.contains("seq \(victim) is missing") })
        #expect(report.findings.contains { $0.check == "usage_ledger" && $0.message.contains("seq \(usage)") })
        #expect(report.findings.contains { $0.check == "held_bytes" })
    }

    @Test("rebuild recomputes projections equal to the live ones, and repairs tampering")
    func rebuildEqualsLive() async throws {
        let appended = try await Self.fill(1_000)
        defer { appended.store.close() }
        let before = try Self.dumpProjections(appended.store.path)
        let report = try appended.store.rebuildProjections()
        #expect(report.differences == 0, "\(report)")
        #expect(try Self.dumpProjections(appended.store.path) == before)

        let db = try Database(path: appended.store.path)
        db.setBusyTimeout(milliseconds: 5_000)
        try db.execute("UPDATE metering_totals SET reports = reports + 1 WHERE day = (SELECT min(day) FROM metering_totals)")
        try db.execute("UPDATE executions SET event_count = 99 WHERE request_id = (SELECT min(request_id) FROM executions)")
        try db.execute("DELETE FROM usage_ledger WHERE report_id = (SELECT min(report_id) FROM usage_ledger)")
        #expect(try !appended.store.makeReader().verify().isClean)
        let repair = try appended.store.rebuildProjections()
        #expect(repair.executionDifferences == 1)
        #expect(repair.ledgerDifferences == 1)
        #expect(repair.totalsDifferences >= 1)
        #expect(try Self.dumpProjections(appended.store.path) == before)
        #expect(try appended.store.makeReader().verify().isClean)
    }

    /// Every projection row, as text, in a stable order.
    static func dumpProjections(_ path: String) throws -> [String] {
        let db = try Database(path: path)
        var rows: [String] = []
        for (table, order) in [("executions", "request_id"), ("usage_ledger", "seq"), ("metering_totals", "tenant_id, day, workspace_id, model, currency")] {
            for row in try db.all("SELECT * FROM \(table) ORDER BY \(order)") {
                rows.append(table + ": " + row.map(\.description).joined(separator: ","))
            }
        }
        return rows
    }
}
