import Logging
import SQLiteDB

/// Keeps the log under its size bound. When an append would cross it: first the acked messages go
/// (the cloud holds them; their summaries stay in the projections), then unacked progress events,
/// oldest first (R4 allows those gaps). usage_report, other execution_events and messaging_reply
/// are never dropped: when only they remain the append fails with `outboxFull`.
struct SizeBound {
    let db: Database
    let ids: MessageIDScheme
    let limit: Int64
    let logger: Logger

    func makeRoom(for needed: Int64, state: inout SequenceState, nowMS: Int64, mayDropProgress: Bool = true) throws {
        let retirer = LogRetirer(db: db, ids: ids)
        if state.ackedSeq > state.prunedThrough {
            let removed = try retirer.retirePrefix(
                through: state.ackedSeq, state: &state, reason: "size_bound", nowMS: nowMS, archivePath: nil)
            if removed.messages > 0 {
                logger.notice(
                    "outbox size bound reached: pruned acked messages early",
                    metadata: ["outbox.pruned": "\(removed.messages)", "outbox.pruned_through": "\(state.prunedThrough)"])
            }
        }
        let excess = state.heldBytes + needed - limit
        if excess > 0 && mayDropProgress {
            let freed = try retirer.dropProgress(freeing: excess, state: &state, nowMS: nowMS)
            if freed > 0 {
                logger.warning(
                    "outbox size bound reached: dropped unacked progress events (R4)",
                    metadata: ["outbox.freed_bytes": "\(freed)"])
            }
        }
        if state.heldBytes + needed > limit {
            let unacked = try db.int64("SELECT count(*) FROM outbox WHERE seq > ?", [.integer(state.ackedSeq)])
            throw OutboxError.outboxFull(heldBytes: state.heldBytes, limitBytes: limit, unackedMessages: unacked)
        }
    }
}
