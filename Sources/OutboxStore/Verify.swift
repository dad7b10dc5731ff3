import ConnectorCore
import SQLiteDB

/// What `outbox verify` found. Each finding names the check, the row and the difference.
public struct VerifyReport: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let check: String
        public let message: String
        public var description: String { "[\(check)] \(message)" }
    }

    public var findings: [Finding] = []
    public var messagesChecked: Int64 = 0
    public var ledgerRowsChecked: Int64 = 0
    public var executionsChecked: Int64 = 0
    public var totalsChecked: Int64 = 0
    /// Findings past this many are counted, not listed.
    public static let listLimit = 1_000
    public var unlistedFindings: Int64 = 0

    public var isClean: Bool { findings.isEmpty && unlistedFindings == 0 }

    mutating func add(_ check: String, _ message: String) {
        if findings.count < Self.listLimit {
            findings.append(Finding(check: check, message: message))
        } else {
            unlistedFindings += 1
        }
    }
}

extension OutboxReader {
    /// The full check: SQLite integrity, seq order and accounting, every payload against its typed
    /// columns, and every projection against the log. Runs in one read transaction so that it
    /// compares one consistent snapshot (the writer keeps appending meanwhile).
    public func verify() throws -> VerifyReport {
        try mapped("verifying the outbox") {
            try db.run("BEGIN DEFERRED")
            defer { try? db.run("COMMIT") }
            var report = VerifyReport()
            try checkIntegrity(&report)
            let state = try SequenceState.read(db)
            let derivation = ProjectionDerivation(db: db, codecs: codecs, ids: ids)
            try checkLog(state: state, report: &report)
            let scan = try derivation.scan()
            try checkExecutions(expected: scan.executions, report: &report)
            let liveLedger = try checkLedger(derivation, expected: scan.ledger, state: state, report: &report)
            try checkTotals(derivation, ledger: liveLedger, report: &report)
            if scan.heldBytes != state.heldBytes {
                report.add("held_bytes", "sequence_state.held_bytes is \(state.heldBytes) but the log holds \(scan.heldBytes)")
            }
            return report
        }
    }

    private func checkIntegrity(_ report: inout VerifyReport) throws {
        for row in try db.all("PRAGMA integrity_check") where row.first?.text != "ok" {
            report.add("integrity", row.first?.text ?? "integrity_check failed")
        }
        for row in try db.all("PRAGMA foreign_key_check") {
            report.add("integrity", "foreign key violation in \(row[0]) rowid \(row[1]) -> \(row[2])")
        }
    }

    /// Seq order and accounting, and each row's payload against its typed columns.
    private func checkLog(state: SequenceState, report: inout VerifyReport) throws {
        var dropped = Set<Int64>()
        for row in try db.all("SELECT seq FROM dropped_messages") { if let seq = row[0].int64 { dropped.insert(seq) } }
        let jumps = try db.all("SELECT from_seq, to_seq FROM seq_jumps").compactMap { row -> ClosedRange<Int64>? in
            guard let from = row[0].int64, let to = row[1].int64, to > from else { return nil }
            return (from + 1)...to
        }
        func accountForGap(_ range: ClosedRange<Int64>) {
            var unexplained: [Int64] = []
            for seq in range where !dropped.contains(seq) && !jumps.contains(where: { $0.contains(seq) }) {
                unexplained.append(seq)
            }
            guard let first = unexplained.first, let last = unexplained.last else { return }
            let which = unexplained.count == 1 ? "seq \(first) is" : "\(unexplained.count) seqs (\(first)...\(last)) are"
            report.add(
                "seq", "\(which) missing from the log but were not pruned, dropped (R4) or skipped (R7): rows were deleted outside the connector")
        }

        var previous = state.prunedThrough
        let rows = try db.prepare(
            "SELECT seq, explicit_id, type, request_id, event_at_ms, natural_key, event_type, job_type, codec, raw_size, payload, created_at_ms, layout FROM outbox ORDER BY seq")
        while try rows.step() {
            let seq = rows.int64(0)
            report.messagesChecked += 1
            if seq <= previous {
                report.add("seq", "seq \(seq) is out of order (after \(previous))")
            } else if seq > previous + 1 {
                accountForGap((previous + 1)...(seq - 1))
            }
            if seq > state.lastSeq {
                report.add("seq", "seq \(seq) is above the highest seq ever assigned (\(state.lastSeq))")
            }
            previous = max(previous, seq)
            checkRow(rows, seq: seq, report: &report)
        }
        if state.lastSeq > previous {
            accountForGap((previous + 1)...state.lastSeq)
        }
    }

    private func checkRow(_ rows: Statement, seq: Int64, report: inout VerifyReport) {
        guard let type = OutboxMessageType(code: rows.int(2)) else {
            report.add("payload", "seq \(seq): unreadable type")
            return
        }
        let fields: OutboxFields
        do {
            let payload = try StoredPayload.readValue(
                rows, codecs: codecs, type: type, codec: 8, rawSize: 9, payload: 10, layout: 12, requestID: 3,
                naturalKey: 5, eventAt: 4, eventType: 6)
            fields = try OutboxPayload.validate(type: type, payload: payload)
        } catch {
            report.add("payload", "seq \(seq): the payload does not decode to a valid \(type.rawValue): \(error)")
            return
        }
        var mismatches: [String] = []
        if StoredKey.encode(fields.requestID) != rows.value(3) { mismatches.append("request_id") }
        if fields.timestampMS != rows.int64(4) { mismatches.append("event_at_ms") }
        if fields.naturalKey.map(StoredKey.encode) ?? .null != rows.value(5) { mismatches.append("natural_key") }
        if case .execution(let execution) = fields.detail {
            if execution.eventType.rawValue != rows.optionalString(6) { mismatches.append("event_type") }
            let jobType = execution.eventType == .accepted ? execution.jobType : nil
            if jobType != rows.optionalString(7) { mismatches.append("job_type") }
        }
        if !mismatches.isEmpty {
            report.add("payload", "seq \(seq): typed columns differ from the payload: \(mismatches.joined(separator: ", "))")
        }
    }

    private func checkExecutions(expected: [String: ExecutionSummary], report: inout VerifyReport) throws {
        let live = try ExecutionTable.live.readAll(db)
        report.executionsChecked = Int64(live.count)
        for (requestID, summary) in expected.sorted(by: { $0.key < $1.key }) {
            guard let row = live[requestID] else {
                report.add("executions", "request \(requestID): no timeline row, but the log holds its events")
                continue
            }
            let differences = Self.differences(row, summary)
            if !differences.isEmpty {
                report.add("executions", "request \(requestID): \(differences.joined(separator: "; "))")
            }
        }
        for requestID in live.keys.sorted() where expected[requestID] == nil {
            report.add("executions", "request \(requestID): timeline row with no events in the log or retired")
        }
    }

    static func differences(_ live: ExecutionSummary, _ expected: ExecutionSummary) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { out.append("\(name) live=\(String(describing: a)) expected=\(String(describing: b))") }
        }
        compare("job_type", live.jobType, expected.jobType)
        compare("status", live.status.rawValue, expected.status.rawValue)
        compare("first_event_ms", live.firstEventMS, expected.firstEventMS)
        compare("last_event_ms", live.lastEventMS, expected.lastEventMS)
        compare("terminal_seq", live.terminalSeq, expected.terminalSeq)
        compare("terminal_at_ms", live.terminalAtMS, expected.terminalAtMS)
        compare("event_count", live.eventCount, expected.eventCount)
        compare("first_seq", live.firstSeq, expected.firstSeq)
        compare("last_seq", live.lastSeq, expected.lastSeq)
        return out
    }

    private func checkLedger(
        _ derivation: ProjectionDerivation, expected: [Int64: LedgerEntry], state: SequenceState,
        report: inout VerifyReport
    ) throws -> [Int64: LedgerEntry] {
        let live = try derivation.liveLedger()
        report.ledgerRowsChecked = Int64(live.count)
        for (seq, entry) in live.sorted(by: { $0.key < $1.key }) {
            if let derived = expected[seq] {
                if derived != entry {
                    report.add(
                        "usage_ledger",
                        "report \(entry.usage.reportID) (seq \(seq)): \(Self.differences(entry, derived).joined(separator: "; "))")
                }
            } else if seq > state.prunedThrough {
                report.add(
                    "usage_ledger",
                    "report \(entry.usage.reportID) (seq \(seq)): its usage_report is missing from the log, and seq \(seq) was never pruned")
            }
        }
        for (seq, entry) in expected.sorted(by: { $0.key < $1.key }) where live[seq] == nil {
            report.add("usage_ledger", "usage_report seq \(seq) (report \(entry.usage.reportID)) has no ledger row")
        }
        return live
    }

    static func differences(_ live: LedgerEntry, _ expected: LedgerEntry) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { out.append("\(name) live=\(a) expected=\(b)") }
        }
        compare("report_id", live.usage.reportID, expected.usage.reportID)
        compare("request_id", live.requestID, expected.requestID)
        compare("tenant_id", live.usage.tenantID, expected.usage.tenantID)
        compare("workspace_id", live.usage.workspaceID, expected.usage.workspaceID)
        compare("model", live.usage.model, expected.usage.model)
        compare("reported_at_ms", live.reportedAtMS, expected.reportedAtMS)
        compare("executor_device_id", live.usage.executorDeviceID, expected.usage.executorDeviceID)
        compare("duration_ms", live.usage.durationMS, expected.usage.durationMS)
        compare("prompt_tokens", live.usage.promptTokens, expected.usage.promptTokens)
        compare("completion_tokens", live.usage.completionTokens, expected.usage.completionTokens)
        compare("total_tokens", live.usage.totalTokens, expected.usage.totalTokens)
        compare("cost_micros", live.usage.costMicros, expected.usage.costMicros)
        compare("currency", live.usage.currency, expected.usage.currency)
        compare("message_id", live.messageID.description, expected.messageID.description)
        compare("created_at_ms", live.createdAtMS, expected.createdAtMS)
        return out
    }

    private func checkTotals(
        _ derivation: ProjectionDerivation, ledger: [Int64: LedgerEntry], report: inout VerifyReport
    ) throws {
        let expected = ProjectionDerivation.totals(of: ledger.values)
        let live = try derivation.liveTotals()
        report.totalsChecked = Int64(live.count)
        for (key, total) in expected.sorted(by: { $0.key.description < $1.key.description }) {
            guard let row = live[key] else {
                report.add("metering_totals", "\(key): no totals row, but the ledger has \(total.reports) reports")
                continue
            }
            if row != total {
                report.add("metering_totals", "\(key): \(Self.differences(row, total).joined(separator: "; "))")
            }
        }
        for key in live.keys.sorted(by: { $0.description < $1.description }) where expected[key] == nil {
            report.add("metering_totals", "\(key): totals row with no ledger rows behind it")
        }
    }

    static func differences(_ live: MeteringTotal, _ expected: MeteringTotal) -> [String] {
        var out: [String] = []
        func compare(_ name: String, _ a: Int64, _ b: Int64) {
            if a != b { out.append("\(name) live=\(a) expected=\(b)") }
        }
        compare("reports", live.reports, expected.reports)
        compare("duration_ms", live.durationMS, expected.durationMS)
        compare("prompt_tokens", live.promptTokens, expected.promptTokens)
        compare("completion_tokens", live.completionTokens, expected.completionTokens)
        compare("total_tokens", live.totalTokens, expected.totalTokens)
        compare("cost_micros", live.costMicros, expected.costMicros)
        return out
    }
}
