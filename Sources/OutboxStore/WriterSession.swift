import Foundation
import ConnectorCore
import Logging
import SQLiteDB

/// The result of an ack from the cloud.
public struct AckOutcome: Sendable, Equatable {
    /// The durable cumulative ack after this one.
    public let ackedSeq: Int64
    /// False when the ack was lower than or equal to what was already acked (ignored, PROTOCOL §4).
    public let advanced: Bool
    /// Set when the cloud acked seqs this store never assigned (R7): the store's next seq was moved
    /// past the ack, from this value.
    public let jumpedFrom: Int64?
}

/// Everything the writer thread owns: the one write connection and what it needs to append. Lives
/// and dies on the writer thread; never shared.
final class WriterSession {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme
    let options: OutboxOptions
    let logger: Logger
    let commitSignal: CommitSignal?

    init(
        db: Database, codecs: CodecTable, ids: MessageIDScheme, options: OutboxOptions, logger: Logger,
        commitSignal: CommitSignal? = nil
    ) {
        self.db = db
        self.codecs = codecs
        self.ids = ids
        self.options = options
        self.logger = logger
        self.commitSignal = commitSignal
    }

    var faults: OutboxFaults { options.faults }
    var nowMS: Int64 { options.clock.nowMilliseconds() }

    /// Runs `body` in an IMMEDIATE transaction with the current sequence state, writing the state
    /// back before commit.
    func transaction<T>(_ body: (inout SequenceState) throws -> T) throws(OutboxError) -> T {
        do {
            return try db.transaction(.immediate) {
                var state = try SequenceState.read(db)
                let result = try body(&state)
                try state.write(db)
                return result
            }
        } catch {
            throw OutboxErrorMapping.map(error, operation: "writing the outbox", path: db.path)
        }
    }

    // MARK: group commit

    /// Commits a batch of appends and acks in ONE transaction, each append in its own savepoint so
    /// that a unit that fails is rolled back alone. Every caller is completed only after COMMIT
    /// returned (synchronous=FULL: the WAL is fsynced), or with the error that kept it out.
    func commit(_ jobs: [WriterJob]) {
        var acks: [Result<AckOutcome, OutboxError>] = []
        var appends: [Result<[AppendedMessage], OutboxError>] = []
        var completedEarly = false
        do {
            try db.run("BEGIN IMMEDIATE")
            var state = try SequenceState.read(db)
            // Acks first: an ack above last_seq (R7) must move the next seq before anything is appended.
            for job in jobs {
                if case .acknowledge(let seq, _) = job {
                    acks.append(.success(try acknowledge(seq, state: &state)))
                }
            }
            for job in jobs {
                if case .append(let unit, _) = job {
                    appends.append(try appendUnit(unit, state: &state))
                }
            }
            try state.write(db)
            if faults.contains(.returnBeforeCommit) {
                complete(jobs, acks: acks, appends: appends)
                completedEarly = true
                // Model a commit still in flight (a slow disk), so that a kill can land between the
                // premature return and the commit, as it would in production.
                usleep(3_000)
            }
            try db.run("COMMIT")
            if appends.contains(where: { if case .success(let rows) = $0 { !rows.isEmpty } else { false } }) {
                commitSignal?.committed(lastSeq: state.lastSeq)
            }
        } catch {
            if db.isInTransaction { try? db.run("ROLLBACK") }
            let failure =
                (error as? BatchRolledBack)?.failure
                ?? OutboxErrorMapping.map(error, operation: "committing appends", path: db.path)
            logger.error(
                "outbox commit failed; no append of this batch was written", metadata: ["error": "\(failure)"])
            acks = jobs.compactMap { if case .acknowledge = $0 { return .failure(failure) } else { return nil } }
            appends = jobs.compactMap { if case .append = $0 { return .failure(failure) } else { return nil } }
        }
        if !completedEarly { complete(jobs, acks: acks, appends: appends) }
    }

    private func complete(
        _ jobs: [WriterJob], acks: [Result<AckOutcome, OutboxError>],
        appends: [Result<[AppendedMessage], OutboxError>]
    ) {
        var ackIndex = 0
        var appendIndex = 0
        for job in jobs {
            switch job {
            case .acknowledge(_, let completion):
                completion(acks[ackIndex])
                ackIndex += 1
            case .append(_, let completion):
                completion(appends[appendIndex])
                appendIndex += 1
            case .exclusive:
                break
            }
        }
    }

    /// SQLite rolled the whole batch transaction back on its own, as it may on SQLITE_FULL, IOERR or
    /// NOMEM: every unit of the batch is gone, so the batch fails as one, with this unit's error.
    /// Going on would run the remaining units in autocommit, outside the batch and its accounting.
    struct BatchRolledBack: Error {
        let failure: OutboxError
    }

    private func appendUnit(_ unit: AppendUnit, state: inout SequenceState) throws(BatchRolledBack) -> Result<[AppendedMessage], OutboxError> {
        let before = state
        do {
            try db.run("SAVEPOINT unit")
        } catch {
            return .failure(OutboxErrorMapping.map(error, operation: "appending", path: db.path))
        }
        do {
            let needed = unit.messages.reduce(Int64(0)) { $0 + $1.heldBytes }
            let limit = options.maxOutboxBytes - unit.reservedBytes
            if state.heldBytes + needed > limit {
                try SizeBound(db: db, ids: ids, limit: limit, logger: logger)
                    .makeRoom(for: needed, state: &state, nowMS: nowMS, mayDropProgress: unit.mayDropProgress)
            }
            let appender = LogAppender(db: db, codecs: codecs, ids: ids, faults: faults)
            var appended: [AppendedMessage] = []
            for message in unit.messages {
                appended.append(try appender.append(message, state: &state))
            }
            try unit.rows?(db, appended)
            try db.run("RELEASE unit")
            return .success(appended)
        } catch {
            state = before
            let failure = OutboxErrorMapping.map(error, operation: "appending", path: db.path)
            guard db.isInTransaction || faults.contains(.ignoreBatchRollback) else { throw BatchRolledBack(failure: failure) }
            try? db.run("ROLLBACK TO unit")
            try? db.run("RELEASE unit")
            return .failure(failure)
        }
    }

    private func acknowledge(_ seq: Int64, state: inout SequenceState) throws -> AckOutcome {
        guard seq > state.ackedSeq else {
            return AckOutcome(ackedSeq: state.ackedSeq, advanced: false, jumpedFrom: nil)
        }
        var jumpedFrom: Int64?
        if seq > state.lastSeq {
            // R7: the cloud holds seqs this store never assigned (its store was lost or replaced).
            // Never reuse them: continue above the cloud's ack, and say so loudly.
            jumpedFrom = state.lastSeq
            let renumbers = state.ackedSeq < state.lastSeq && !faults.contains(.noRenumbering)
            // Renumbering vacates the held seqs too: the jump then skips everything above the ack.
            try db.run(
                "INSERT INTO seq_jumps (from_seq, to_seq, jumped_at_ms) VALUES (?, ?, ?)",
                [.integer(renumbers ? state.ackedSeq : state.lastSeq), .integer(seq), .integer(nowMS)])
            logger.critical(
                "the cloud acked seqs this store never assigned; continuing above them (R7)",
                metadata: ["seq.last_assigned": "\(state.lastSeq)", "seq.cloud_acked": "\(seq)"])
            if renumbers {
                // Held messages under seqs the cloud already holds for others: move them past it.
                let offset = seq - state.ackedSeq
                let moved = try renumberHeld(above: state.ackedSeq, offset: offset)
                logger.critical(
                    "moved the messages appended before the cloud's ack arrived past it, ids unchanged (R7)",
                    metadata: ["messages": "\(moved)", "seq.first_new": "\(seq + 1)", "seq.offset": "\(offset)"])
                state.lastSeq += offset
            } else {
                state.lastSeq = seq
            }
        }
        state.ackedSeq = seq
        return AckOutcome(ackedSeq: seq, advanced: true, jumpedFrom: jumpedFrom)
    }
}
