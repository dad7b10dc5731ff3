import ConnectorCore
import Logging
import SQLiteDB

/// What the link service asks of the writer. Completion-based, so the service's event loop submits
/// in order and never blocks: the writer queue is FIFO, so an ack submitted after a rewind is
/// applied after it.
extension OutboxStore {
    /// `acknowledge(through:)`, submitted now, completed on the writer thread.
    public func acknowledge(through seq: Int64, completion: @escaping @Sendable (Result<AckOutcome, OutboxError>) -> Void) {
        submit(.acknowledge(seq, completion), orElse: { completion(.failure(.closed)) })
    }

    /// The cloud answered `connect_ack` with an `acked_seq` below the store's (its store was wiped or
    /// restored from a backup): move the delivery cursor back so every message still held above
    /// `seq` is read as pending and resent (R7). The cursor cannot go below `pruned_through`: those
    /// messages are gone, and the outcome says how many the cloud lost for good.
    public func rewindAcknowledged(to seq: Int64, completion: @escaping @Sendable (Result<AckRewind?, OutboxError>) -> Void) {
        let job = ExclusiveJob(
            run: { session in completion(Result { () throws(OutboxError) in try session.rewindAcked(to: seq) }) },
            fail: { completion(.failure($0)) })
        submit(.exclusive(job), orElse: { completion(.failure(.closed)) })
    }

    /// Replaces the `link_status` row. A write costs a commit, so the service calls this on state
    /// changes and now and then, not per message.
    public func recordLinkStatus(_ record: LinkStatusRecord, completion: @escaping @Sendable (Result<Void, OutboxError>) -> Void) {
        let job = ExclusiveJob(
            run: { session in
                completion(Result { () throws(OutboxError) in
                    do {
                        try record.write(session.db)
                    } catch {
                        throw OutboxErrorMapping.map(error, operation: "recording the link status", path: session.db.path)
                    }
                })
            },
            fail: { completion(.failure($0)) })
        submit(.exclusive(job), orElse: { completion(.failure(.closed)) })
    }

    private func submit(_ job: WriterJob, orElse closed: () -> Void) {
        if !queue.submit(job) { closed() }
    }
}

extension WriterSession {
    func rewindAcked(to seq: Int64) throws(OutboxError) -> AckRewind? {
        try transaction { state -> AckRewind? in
            guard seq < state.ackedSeq else { return nil }
            let target = max(seq, state.prunedThrough)
            let rewind = AckRewind(fromSeq: state.ackedSeq, toSeq: seq, prunedThrough: state.prunedThrough, atMS: nowMS)
            try db.run(
                "INSERT INTO ack_rewinds (from_seq, to_seq, pruned_through, rewound_at_ms) VALUES (?, ?, ?, ?)",
                [.integer(rewind.fromSeq), .integer(rewind.toSeq), .integer(rewind.prunedThrough), .integer(rewind.atMS)])
            logger.critical(
                "the cloud holds fewer messages than it acknowledged before (its store was lost or restored); resending every held message above its ack (R7)",
                metadata: [
                    "seq.store_acked": "\(rewind.fromSeq)", "seq.cloud_acked": "\(seq)",
                    "seq.resend_from": "\(target + 1)", "seq.unrecoverable": "\(rewind.unrecoverableSeqs)",
                ])
            if rewind.unrecoverableSeqs > 0 {
                logger.critical(
                    "seqs the cloud lost were already pruned by retention and cannot be resent",
                    metadata: ["seq.lost_from": "\(seq + 1)", "seq.lost_through": "\(state.prunedThrough)"])
            }
            state.ackedSeq = target
            return rewind
        }
    }
}
