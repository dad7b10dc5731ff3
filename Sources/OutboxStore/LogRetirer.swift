import ConnectorCore
import SQLiteDB

/// Removes rows from the log without changing what the projections say: execution events are folded
/// into `execution_retired` first, usage reports stay in the ledger (never pruned), ids of their own
/// (`explicit_id`) stay in `retired_explicit_ids`, and every removal is recorded (`prune_log`,
/// `dropped_messages`) so verify can tell it from a lost row. Runs inside the caller's write
/// transaction.
struct LogRetirer {
    let db: Database
    let ids: MessageIDScheme

    struct Removed {
        var messages: Int64 = 0
        var storedBytes: Int64 = 0
        var heldBytes: Int64 = 0
    }

    /// Retires the prefix (state.prunedThrough, through]. `through` must not exceed the acked seq.
    @discardableResult
    func retirePrefix(
        through: Int64, state: inout SequenceState, reason: String, nowMS: Int64, archivePath: String?
    ) throws -> Removed {
        precondition(through <= state.ackedSeq, "only acked messages may be pruned")
        guard through > state.prunedThrough else { return Removed() }
        let removed = try retire(where: "seq > ? AND seq <= ?", [.integer(state.prunedThrough), .integer(through)])
        try db.run(
            """
            INSERT INTO prune_log (pruned_at_ms, reason, from_seq, through_seq, messages, stored_bytes, archive_path)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(nowMS), .text(reason), .integer(state.prunedThrough + 1), .integer(through),
             .integer(removed.messages), .integer(removed.storedBytes), archivePath.map { .text($0) } ?? .null])
        state.prunedThrough = through
        state.heldBytes -= removed.heldBytes
        return removed
    }

    /// Drops unacked progress events, oldest first, until `needed` bytes are free or none are left
    /// (R4 allows these gaps). Returns the bytes freed.
    func dropProgress(freeing needed: Int64, state: inout SequenceState, nowMS: Int64) throws -> Int64 {
        var freed: Int64 = 0
        let candidates = try db.cached(
            """
            SELECT seq, length(payload), explicit_id, request_id, natural_key FROM outbox
            WHERE seq > ? AND type = 1 AND event_type = 'progress' ORDER BY seq LIMIT 256
            """)
        var after = state.ackedSeq
        while freed < needed {
            var batch: [(seq: Int64, id: MessageID, requestID: String, eventID: String)] = []
            try candidates.bind(1, after)
            while try candidates.step(), freed < needed {
                let seq = candidates.int64(0)
                let explicit = candidates.isNull(2) ? nil : candidates.blob(2)
                batch.append((seq, ids.id(forSeq: seq, explicit: explicit), StoredKey.decode(candidates, 3),
                              StoredKey.decode(candidates, 4)))
                freed += candidates.int64(1) + PreparedMessage.rowOverhead
            }
            candidates.reset()
            guard let last = batch.last else { break }
            after = last.seq
            for dropped in batch {
                try db.run(
                    "INSERT INTO dropped_messages (seq, id, request_id, event_id, dropped_at_ms) VALUES (?, ?, ?, ?, ?)",
                    [.integer(dropped.seq), .blob(dropped.id.bytes), .text(dropped.requestID), .text(dropped.eventID),
                     .integer(nowMS)])
                let removed = try retire(where: "seq = ?", [.integer(dropped.seq)])
                state.heldBytes -= removed.heldBytes
            }
        }
        return freed
    }

    private func retire(where clause: String, _ values: [SQLiteValue]) throws -> Removed {
        var removed = Removed()
        var summaries: [String: ExecutionSummary] = [:]
        let rows = try db.prepare(
            "SELECT seq, type, request_id, event_type, event_at_ms, job_type, length(payload), explicit_id FROM outbox WHERE \(clause)")
        try rows.bind(values)
        let keepID = try db.cached("INSERT OR IGNORE INTO retired_explicit_ids (seq, id) VALUES (?, ?)")
        while try rows.step() {
            removed.messages += 1
            if !rows.isNull(7) {
                // The only trace of this id once the row is gone (LogAppender.findByID reads it).
                defer { keepID.reset() }
                try keepID.bind(1, rows.int64(0))
                try keepID.bind(2, blob: rows.blob(7))
                try keepID.step()
            }
            removed.storedBytes += rows.int64(6)
            removed.heldBytes += rows.int64(6) + PreparedMessage.rowOverhead
            guard rows.int(1) == OutboxMessageType.executionEvent.code,
                let eventType = ExecutionEventType(rawValue: rows.string(3))
            else { continue }
            let summary = ExecutionSummary(
                requestID: StoredKey.decode(rows, 2), seq: rows.int64(0), eventType: eventType, eventAtMS: rows.int64(4),
                jobType: rows.optionalString(5))
            summaries[summary.requestID] = summaries[summary.requestID].map { $0.merged(summary) } ?? summary
        }
        for summary in summaries.values {
            try ExecutionTable.retired.merge(db, summary)
        }
        try db.run("DELETE FROM outbox WHERE \(clause)", values)
        return removed
    }
}
