public import ConnectorCore
import SQLiteDB

/// Running totals for `GET /metrics`, read from the seq allocator and the projections rather than
/// counted by whichever process appended, so they include every process's appends (`outbox append`,
/// the local API, the service itself), survive restarts, and never go back when retention prunes.
public struct OutboxTotals: Sendable, Equatable {
    /// Messages ever appended, by type. A repeated event_id/report_id is not an append.
    public var appended: [OutboxMessageType: Int64]
    /// Messages the cloud has acked: the seqs up to `acked_seq`, less those no message of this
    /// device held (skipped by an R7 jump) and the progress events the size bound dropped unsent.
    public var ackedMessages: Int64
    /// Executions by their timeline status (the `executions` projection, never pruned).
    public var executions: [ExecutionSummary.Status: Int64]
}

extension OutboxReader {
    /// One read transaction. Cheap except for a scan of `executions` (one short row per execution
    /// ever seen; there is no index by status); every other part reads a row or a small table.
    ///
    /// Appends by type: execution events are the `executions` rows' event counts (retired events
    /// stay counted), usage reports the metering totals' report counts (the ledger is never pruned),
    /// and messaging replies, which have no projection, the rest of every seq ever assigned that no
    /// R7 jump skipped (a jump with renumbering moves `last_seq` by exactly the seqs it records).
    public func totals() throws -> OutboxTotals {
        try mapped("reading the outbox totals") {
            try db.transaction(.deferred) {
                let row = try db.prepare(
                    """
                    SELECT s.last_seq,
                           s.acked_seq,
                           (SELECT coalesce(sum(to_seq - from_seq), 0) FROM seq_jumps),
                           (SELECT coalesce(sum(max(0, min(to_seq, s.acked_seq) - from_seq)), 0) FROM seq_jumps),
                           (SELECT count(*) FROM dropped_messages WHERE seq <= s.acked_seq),
                           (SELECT coalesce(sum(reports), 0) FROM metering_totals)
                    FROM sequence_state s WHERE s.singleton = 1
                    """)
                guard try row.step() else {
                    throw OutboxError.corrupt(path: path, detail: "the sequence_state row is missing")
                }
                let (lastSeq, ackedSeq) = (row.int64(0), row.int64(1))
                let (skipped, skippedAcked, droppedAcked) = (row.int64(2), row.int64(3), row.int64(4))
                let usageReports = row.int64(5)

                var executions: [ExecutionSummary.Status: Int64] = [:]
                var executionEvents: Int64 = 0
                let grouped = try db.prepare("SELECT status, count(*), sum(event_count) FROM executions GROUP BY status")
                while try grouped.step() {
                    executionEvents += grouped.int64(2)
                    guard let status = ExecutionSummary.Status(rawValue: grouped.string(0)) else { continue }
                    executions[status] = grouped.int64(1)
                }

                let allAppends = lastSeq - skipped
                return OutboxTotals(
                    appended: [
                        .executionEvent: executionEvents, .usageReport: usageReports,
                        .messagingReply: max(allAppends - executionEvents - usageReports, 0),
                    ],
                    ackedMessages: max(ackedSeq - skippedAcked - droppedAcked, 0), executions: executions)
            }
        }
    }
}
