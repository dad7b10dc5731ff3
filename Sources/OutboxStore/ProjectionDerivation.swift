import ConnectorCore
import SQLiteDB

/// Recomputes the projections from the log and what removals recorded, for `rebuild` and `verify`.
struct ProjectionDerivation {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme

    /// Timeline summaries: fold(execution_retired, execution_events held in the log). Uses the typed
    /// columns, which `verify` separately checks against each payload.
    func executions() throws -> [String: ExecutionSummary] {
        // Fold by the stored key bytes and turn each key into text once per request, not per event.
        var byKey: [[UInt8]: ExecutionSummary] = [:]
        let rows = try db.prepare(
            "SELECT seq, request_id, event_type, event_at_ms, job_type FROM outbox WHERE type = 1 ORDER BY seq")
        while try rows.step() {
            guard let eventType = ExecutionEventType(rawValue: rows.string(2)) else {
                throw OutboxError.corrupt(path: db.path, detail: "seq \(rows.int64(0)) has event_type \(rows.string(2))")
            }
            let key = rows.withBlob(1) { [UInt8]($0) } + (rows.isBlobOrNull(1) ? [1] : [0])
            if var summary = byKey[key] {
                summary.merge(ExecutionSummary(
                    requestID: summary.requestID, seq: rows.int64(0), eventType: eventType, eventAtMS: rows.int64(3),
                    jobType: rows.optionalString(4)))
                byKey[key] = summary
            } else {
                byKey[key] = ExecutionSummary(
                    requestID: StoredKey.decode(rows, 1), seq: rows.int64(0), eventType: eventType,
                    eventAtMS: rows.int64(3), jobType: rows.optionalString(4))
            }
        }
        var summaries = try ExecutionTable.retired.readAll(db)
        for summary in byKey.values {
            summaries[summary.requestID] = summaries[summary.requestID].map { $0.merged(summary) } ?? summary
        }
        return summaries
    }

    /// The ledger entry each held usage_report derives, by seq (payloads decoded and validated).
    func ledgerFromLog(onBadRow: (Int64, String) -> Void = { _, _ in }) throws -> [Int64: LedgerEntry] {
        var entries: [Int64: LedgerEntry] = [:]
        let rows = try db.prepare(
            "SELECT seq, explicit_id, created_at_ms, codec, raw_size, payload, layout, request_id, natural_key, event_at_ms, event_type FROM outbox WHERE type = 2 ORDER BY seq")
        while try rows.step() {
            let seq = rows.int64(0)
            do {
                let payload = try StoredPayload.readValue(
                    rows, codecs: codecs, type: .usageReport, codec: 3, rawSize: 4, payload: 5, layout: 6, requestID: 7,
                    naturalKey: 8, eventAt: 9, eventType: 10)
                let fields = try OutboxPayload.validate(type: .usageReport, payload: payload)
                let id = ids.id(forSeq: seq, explicit: rows.isNull(1) ? nil : rows.blob(1))
                guard let entry = LedgerEntry(seq: seq, messageID: id, createdAtMS: rows.int64(2), fields: fields) else {
                    throw OutboxError.corrupt(path: db.path, detail: "seq \(seq) is not a usage report")
                }
                entries[seq] = entry
            } catch {
                onBadRow(seq, "\(error)")
            }
        }
        return entries
    }

    /// Metering totals as the ledger implies them.
    static func totals(of entries: some Sequence<LedgerEntry>) -> [TotalsKey: MeteringTotal] {
        var totals: [TotalsKey: MeteringTotal] = [:]
        for entry in entries {
            let key = TotalsKey(entry)
            var total = totals[key] ?? MeteringTotal(
                day: key.day, workspaceID: key.workspaceID, model: key.model, currency: key.currency)
            total.add(entry)
            totals[key] = total
        }
        return totals
    }

    func liveTotals() throws -> [TotalsKey: MeteringTotal] {
        var totals: [TotalsKey: MeteringTotal] = [:]
        let rows = try db.prepare(
            """
            SELECT tenant_id, day, workspace_id, model, currency, reports, duration_ms, prompt_tokens,
                   completion_tokens, total_tokens, cost_micros FROM metering_totals
            """)
        while try rows.step() {
            let key = TotalsKey(
                tenantID: rows.string(0), day: rows.string(1), workspaceID: rows.string(2), model: rows.string(3),
                currency: rows.string(4))
            var total = MeteringTotal(day: key.day, workspaceID: key.workspaceID, model: key.model, currency: key.currency)
            total.reports = rows.int64(5)
            total.durationMS = rows.int64(6)
            total.promptTokens = rows.int64(7)
            total.completionTokens = rows.int64(8)
            total.totalTokens = rows.int64(9)
            total.costMicros = rows.int64(10)
            totals[key] = total
        }
        return totals
    }

    func liveLedger() throws -> [Int64: LedgerEntry] {
        var entries: [Int64: LedgerEntry] = [:]
        try UsageLedger.forEach(db) { entries[$0.seq] = $0 }
        return entries
    }

    func heldBytes() throws -> Int64 {
        try db.int64("SELECT coalesce(sum(length(payload)), 0) + count(*) * ? FROM outbox", [.integer(PreparedMessage.rowOverhead)])
    }
}

struct TotalsKey: Hashable, CustomStringConvertible {
    let tenantID: String
    let day: String
    let workspaceID: String
    let model: String
    let currency: String

    init(tenantID: String, day: String, workspaceID: String, model: String, currency: String) {
        self.tenantID = tenantID
        self.day = day
        self.workspaceID = workspaceID
        self.model = model
        self.currency = currency
    }

    init(_ entry: LedgerEntry) {
        self.init(
            tenantID: entry.usage.tenantID, day: entry.day, workspaceID: entry.usage.workspaceID,
            model: entry.usage.model, currency: entry.usage.currency)
    }

    var description: String {
        "tenant=\(tenantID) day=\(day) workspace=\(workspaceID.isEmpty ? "-" : workspaceID) model=\(model.isEmpty ? "-" : model) currency=\(currency.isEmpty ? "-" : currency)"
    }
}
