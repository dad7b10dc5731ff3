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
    public func rebuildProjections() throws -> RebuildReport {
        try perform { session in
            try session.transaction { state -> RebuildReport in
                try Rebuilder(db: session.db, codecs: session.codecs, ids: session.ids).rebuild(state: &state)
            }
        }
    }
}

struct Rebuilder {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme

    func rebuild(state: inout SequenceState) throws -> RebuildReport {
        var report = RebuildReport()
        let derivation = ProjectionDerivation(db: db, codecs: codecs, ids: ids)

        let executions = try derivation.executions()
        let liveExecutions = try ExecutionTable.live.readAll(db)
        report.executions = executions.count
        report.executionDifferences = Set(executions.keys).symmetricDifference(liveExecutions.keys).count
            + executions.filter { key, value in liveExecutions[key].map { $0 != value } ?? false }.count

        var badRows: [String] = []
        var ledger = try derivation.ledgerFromLog { seq, reason in badRows.append("seq \(seq): \(reason)") }
        if let first = badRows.first {
            throw OutboxError.corrupt(
                path: db.path, detail: "\(badRows.count) usage_report rows do not decode (first: \(first)); run outbox verify")
        }
        let liveLedger = try derivation.liveLedger()
        for (seq, entry) in liveLedger where ledger[seq] == nil {
            // Pruned reports live on in the ledger only; a row whose log row vanished unrecorded is
            // kept too (reported), because dropping it would lose billing data.
            if seq > state.prunedThrough { report.ledgerRowsWithoutLog.append(entry.usage.reportID) }
            ledger[seq] = entry
        }
        report.ledgerRows = ledger.count
        report.ledgerDifferences = Set(ledger.keys).symmetricDifference(liveLedger.keys).count
            + ledger.filter { key, value in liveLedger[key].map { $0 != value } ?? false }.count
        let liveTotals = try derivation.liveTotals()
        let totals = ProjectionDerivation.totals(of: ledger.values)
        report.totalsRows = totals.count
        report.totalsDifferences = Set(totals.keys).symmetricDifference(liveTotals.keys).count
            + totals.filter { key, value in liveTotals[key].map { $0 != value } ?? false }.count

        // Write only what differs: on a healthy store rebuild reads everything and writes nothing.
        for (requestID, summary) in executions where liveExecutions[requestID] != summary {
            try ExecutionTable.live.upsert(db, summary)
        }
        for requestID in liveExecutions.keys where executions[requestID] == nil {
            try db.run("DELETE FROM executions WHERE request_id = ?", [.text(requestID)])
        }
        for (seq, entry) in ledger.sorted(by: { $0.key < $1.key }) where liveLedger[seq] != entry {
            try db.run("DELETE FROM usage_ledger WHERE seq = ? OR report_id = ?", [.integer(seq), .text(entry.usage.reportID)])
            try UsageLedger.insert(db, entry)  // its trigger adds to metering_totals; fixed below
        }
        // Totals last, against what the ledger now holds (the ledger trigger may have added to them).
        let totalsNow = try derivation.liveTotals()
        for (key, total) in totals where totalsNow[key] != total {
            try MeteringTotalsTable.replace(db, key: key, total: total)
        }
        for key in totalsNow.keys where totals[key] == nil {
            try MeteringTotalsTable.delete(db, key: key)
        }
        state.heldBytes = try derivation.heldBytes()
        return report
    }
}
