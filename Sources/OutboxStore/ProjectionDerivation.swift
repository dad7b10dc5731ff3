import ConnectorCore
import SQLiteDB

/// Recomputes the projections from the log and what removals recorded, for `rebuild` and `verify`.
struct ProjectionDerivation {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme

    /// Everything rebuild and verify derive from the log, in ONE pass over it: execution summaries
    /// (fold(retired, events)), the ledger entry of each held usage report, and the held bytes.
    /// Only usage reports' payloads are read; the other rows give their typed columns.
    struct LogScan {
        var executions: [String: ExecutionSummary] = [:]
        var ledger: [Int64: LedgerEntry] = [:]
        var heldBytes: Int64 = 0
        var badRows: [String] = []
    }

    /// `scanned` is told the seq reached every 8,192 rows.
    func scan(scanned: ((Int64) -> Void)? = nil) throws -> LogScan {
        var result = LogScan()
        // Usage reports are decoded (decompress, parse, validate) on a second thread in batches while
        // this one keeps stepping through the log: on two cores that is most of the scan's cost.
        let decoder = UsageDecoder(codecs: codecs)
        var pending: [PendingUsage] = []
        // Summaries fold in place in an array; the dictionary only maps a request's stored key to its
        // slot. A UUID key hashes as two words, not sixteen bytes one by one.
        var slots: [ScanKey: Int] = [:]
        var summaries: [ExecutionSummary] = []
        let rows = try db.prepare(
            """
            SELECT seq, type, request_id, event_type, event_at_ms, job_type, length(payload), explicit_id,
                   created_at_ms, codec, raw_size, layout, natural_key, CASE WHEN type = 2 THEN payload END
            FROM outbox ORDER BY seq
            """)
        var count = 0
        while try rows.step() {
            let seq = rows.int64(0)
            count += 1
            if count & 8_191 == 0 { scanned?(seq) }
            result.heldBytes += rows.int64(6) + PreparedMessage.rowOverhead
            switch rows.int(1) {
            case OutboxMessageType.executionEvent.code:
                guard let eventType = ExecutionEventType(rawValue: rows.string(3)) else {
                    throw OutboxError.corrupt(path: db.path, detail: "seq \(seq) has event_type \(rows.string(3))")
                }
                let key = ScanKey(rows, 2)
                if let slot = slots[key] {
                    summaries[slot].merge(ExecutionSummary(
                        requestID: summaries[slot].requestID, seq: seq, eventType: eventType,
                        eventAtMS: rows.int64(4), jobType: rows.optionalString(5)))
                } else {
                    slots[key] = summaries.count
                    summaries.append(ExecutionSummary(
                        requestID: StoredKey.decode(rows, 2), seq: seq, eventType: eventType,
                        eventAtMS: rows.int64(4), jobType: rows.optionalString(5)))
                }
            case OutboxMessageType.usageReport.code:
                pending.append(
                    PendingUsage(
                        seq: seq, id: ids.id(forSeq: seq, explicit: rows.isNull(7) ? nil : rows.blob(7)),
                        createdAtMS: rows.int64(8), codec: rows.int(9), rawSize: rows.int(10),
                        layout: PayloadLayout(layout: rows.int64(11)),
                        columns: PayloadLayout.Columns(
                            requestID: StoredKey.decode(rows, 2), naturalKey: StoredKey.decodeOptional(rows, 12),
                            eventAtMS: rows.int64(4), eventType: nil),
                        stored: rows.blob(13)))
                if pending.count == PendingUsage.batchSize {
                    decoder.submit(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            default:
                break
            }
        }
        decoder.submit(pending)
        (result.ledger, result.badRows) = decoder.finish()
        result.executions = try ExecutionTable.retired.readAll(db)
        for summary in summaries {
            result.executions[summary.requestID] = result.executions[summary.requestID].map { $0.merged(summary) } ?? summary
        }
        return result
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

}

/// A request id as the log stores it: 16 bytes of a UUID (two words) or text.
enum ScanKey: Hashable {
    case uuid(UInt64, UInt64)
    case text(String)

    init(_ row: Statement, _ column: Int32) {
        if row.isBlobOrNull(column) {
            let words = row.withBlob(column) { bytes -> (UInt64, UInt64)? in
                guard bytes.count == 16 else { return nil }
                return (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                        bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            if let words {
                self = .uuid(words.0, words.1)
                return
            }
        }
        self = .text(row.string(column))
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
