import ConnectorCore
import SQLiteDB

/// What `outbox rebuild` recomputed, and how far the live projections were from it.
public struct RebuildReport: Sendable, Equatable {
    public var executions: Int = 0
    public var ledgerRows: Int = 0
    public var totalsRows: Int = 0
    /// Projection rows that differed from the recomputed ones (0 on a healthy store).
    public var executionDifferences: Int = 0
    public var ledgerDifferences: Int = 0
    public var totalsDifferences: Int = 0
    /// Ledger rows kept although their log row is gone without a prune record: deleting them would
    /// lose billing data, so rebuild keeps them and says so (verify names them).
    public var ledgerRowsWithoutLog: [String] = []

    public var differences: Int { executionDifferences + ledgerDifferences + totalsDifferences }
}

extension OutboxStore {
    /// Recomputes every projection from the log plus what removals recorded, in one transaction on
    /// the writer connection, and replaces the live ones. On a healthy store nothing changes.
    /// `progress` gets (seqs scanned, seqs the log spans) as the scan of the log goes on.
    public func rebuildProjections(progress: (@Sendable (_ done: Int64, _ total: Int64) -> Void)? = nil) throws -> RebuildReport {
        try perform { session in
            try session.transaction { state -> RebuildReport in
                try Rebuilder(db: session.db, codecs: session.codecs, ids: session.ids).rebuild(state: &state, progress: progress)
            }
        }
    }
}

struct Rebuilder {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme

    func rebuild(state: inout SequenceState, progress: ((Int64, Int64) -> Void)? = nil) throws -> RebuildReport {
        var report = RebuildReport()
        let derivation = ProjectionDerivation(db: db, codecs: codecs, ids: ids)
        let first = state.prunedThrough
        let total = state.lastSeq - first
        progress?(0, total)
        let scan = try derivation.scan { seq in progress?(seq - first, total) }
        progress?(total, total)
        if let first = scan.badRows.first {
            throw OutboxError.corrupt(
                path: db.path, detail: "\(scan.badRows.count) usage_report rows do not decode (first: \(first)); run outbox verify")
        }

        // Each projection: find what differs once, report it, and write only that. On a healthy
        // store rebuild reads everything and writes nothing.
        let executions = scan.executions
        let liveExecutions = try ExecutionTable.live.readAll(db)
        let changedExecutions = Differences(expected: executions, live: liveExecutions)
        report.executions = executions.count
        report.executionDifferences = changedExecutions.count

        var ledger = scan.ledger
        let liveLedger = try derivation.liveLedger()
        for (seq, entry) in liveLedger where ledger[seq] == nil {
            // Pruned reports live on in the ledger only; a row whose log row vanished unrecorded is
            // kept too (reported), because dropping it would lose billing data.
            if seq > state.prunedThrough { report.ledgerRowsWithoutLog.append(entry.usage.reportID) }
            ledger[seq] = entry
        }
        let changedLedger = Differences(expected: ledger, live: liveLedger)
        report.ledgerRows = ledger.count
        report.ledgerDifferences = changedLedger.count

        let totals = ProjectionDerivation.totals(of: ledger.values)
        let changedTotals = Differences(expected: totals, live: try derivation.liveTotals())
        report.totalsRows = totals.count
        report.totalsDifferences = changedTotals.count

        for requestID in changedExecutions.changed {
            if let summary = executions[requestID] {
                try ExecutionTable.live.upsert(db, summary)
            } else {
                try db.run("DELETE FROM executions WHERE request_id = ?", [.text(requestID)])
            }
        }
        for seq in changedLedger.changed {
            guard let entry = ledger[seq] else { continue }  // never: ledger holds every live row
            try db.run(
                "DELETE FROM usage_ledger WHERE seq = ? OR report_id = ?", [.integer(seq), .text(entry.usage.reportID)])
            try UsageLedger.insert(db, entry)  // its trigger adds to metering_totals; corrected below
        }
        // Totals last, against what the ledger now holds (its trigger may have added to them).
        if changedLedger.count > 0 || changedTotals.count > 0 {
            let totalsNow = Differences(expected: totals, live: try derivation.liveTotals())
            for key in totalsNow.changed {
                if let total = totals[key] {
                    try MeteringTotalsTable.replace(db, key: key, total: total)
                } else {
                    try MeteringTotalsTable.delete(db, key: key)
                }
            }
        }
        state.heldBytes = scan.heldBytes
        return report
    }
}

/// The keys whose value differs between a recomputed projection and the live one (missing on
/// either side included).
struct Differences<Key: Hashable, Value: Equatable> {
    let changed: [Key]
    var count: Int { changed.count }

    init(expected: [Key: Value], live: [Key: Value]) {
        var changed: [Key] = []
        for (key, value) in expected where live[key] != value { changed.append(key) }
        for key in live.keys where expected[key] == nil { changed.append(key) }
        self.changed = changed
    }
}
