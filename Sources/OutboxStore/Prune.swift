import ConnectorCore
import Foundation
import LZ4Codec
import SQLiteDB

/// What `outbox prune` removed.
public struct PruneReport: Sendable, Equatable {
    public var messages: Int64 = 0
    public var storedBytes: Int64 = 0
    public var prunedThrough: Int64 = 0
    public var archivePath: String?
    public var fileBytesBefore: Int64 = 0
    public var fileBytesAfter: Int64 = 0
}

extension OutboxStore {
    public static let defaultRetentionMS: Int64 = 30 * 24 * 3_600_000

    /// Removes acked messages created more than `retentionMS` ago, as a prefix of the log (it stops at
    /// the first message that must stay), in chunks of short transactions. Each chunk folds what it
    /// removes into the retired projections and the prune log in the same transaction, so totals,
    /// timeline summaries and `rebuild` are unchanged. With `archiveDirectory`, the removed messages
    /// are first written (and fsynced) as JSON lines in an LZ4 frame file that `lz4 -d` reads.
    /// Finally the WAL is checkpointed and freed pages are handed back to the file system.
    /// `progress` gets (seqs covered, seqs acked and not yet pruned) after each chunk: the acked range
    /// bounds the work, which may stop earlier, at the first message younger than the retention.
    public func prune(
        retentionMS: Int64 = defaultRetentionMS, archiveDirectory: String? = nil, chunkSize: Int = 5_000,
        progress: (@Sendable (_ done: Int64, _ total: Int64) -> Void)? = nil
    ) throws -> PruneReport {
        try perform { session in
            var report = PruneReport()
            let start = try SequenceState.read(session.db)
            let total = start.ackedSeq - start.prunedThrough
            progress?(0, total)
            report.fileBytesBefore = OutboxReader.fileSize(session.db.path) + OutboxReader.fileSize(session.db.path + "-wal")
            let cutoff = session.nowMS - retentionMS
            var archive: PruneArchive?
            defer { archive?.close() }
            while true {
                let removed = try session.transaction { state -> LogRetirer.Removed in
                    let end = try Self.prunablePrefixEnd(session.db, state: state, cutoffMS: cutoff, limit: chunkSize)
                    guard end > state.prunedThrough else { return LogRetirer.Removed() }
                    if let directory = archiveDirectory {
                        if archive == nil {
                            archive = try PruneArchive(directory: directory, firstSeq: state.prunedThrough + 1, nowMS: session.nowMS)
                        }
                        try archive?.append(
                            session.db, codecs: session.codecs, ids: session.ids, after: state.prunedThrough, through: end)
                    }
                    let removed = try LogRetirer(db: session.db, ids: session.ids).retirePrefix(
                        through: end, state: &state, reason: "retention", nowMS: session.nowMS,
                        archivePath: archive?.path)
                    report.prunedThrough = state.prunedThrough
                    return removed
                }
                report.messages += removed.messages
                report.storedBytes += removed.storedBytes
                if removed.messages == 0 { break }
                progress?(min(report.prunedThrough - start.prunedThrough, total), total)
            }
            report.archivePath = archive?.path
            if report.prunedThrough == 0 {
                report.prunedThrough = try SequenceState.read(session.db).prunedThrough
            }
            _ = try session.db.pragma("wal_checkpoint(TRUNCATE)")
            try session.db.execute("PRAGMA incremental_vacuum")
            _ = try session.db.pragma("wal_checkpoint(TRUNCATE)")
            report.fileBytesAfter = OutboxReader.fileSize(session.db.path) + OutboxReader.fileSize(session.db.path + "-wal")
            if report.messages > 0 {
                session.logger.info(
                    "pruned acked messages past retention",
                    metadata: ["outbox.pruned": "\(report.messages)", "outbox.pruned_through": "\(report.prunedThrough)"])
            }
            return report
        }
    }

    /// The last seq of the prunable prefix within the next `limit` rows: acked and older than the
    /// cutoff, stopping at the first row that is not.
    static func prunablePrefixEnd(_ db: Database, state: SequenceState, cutoffMS: Int64, limit: Int) throws -> Int64 {
        let rows = try db.prepare(
            "SELECT seq, created_at_ms FROM outbox WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")
        try rows.bind([.integer(state.prunedThrough), .integer(state.ackedSeq), .integer(Int64(limit))])
        var end = state.prunedThrough
        var sawRows = false
        while try rows.step() {
            sawRows = true
            guard rows.int64(1) < cutoffMS else { return end }
            end = rows.int64(0)
        }
        // Nothing held in the acked range any more (all pruned or dropped): the prefix may close the
        // gap up to the acked seq, but only when no acked row remains unpruned.
        if !sawRows {
            return state.ackedSeq > state.prunedThrough ? state.ackedSeq : end
        }
        return end
    }
}

/// An LZ4-frame JSONL file of pruned messages. Each chunk is its own frame, written and fsynced
/// before the chunk's rows are deleted, so a crash can duplicate archive lines but never lose them.
final class PruneArchive {
    let path: String
    private let fd: Int32

    init(directory: String, firstSeq: Int64, nowMS: Int64) throws {
        path = "\(directory)/outbox-archive-\(RFC3339Compact.stamp(milliseconds: nowMS))-from-\(firstSeq).jsonl.lz4"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OutboxError.archiveFailed(path: path, reason: "\(error.localizedDescription)")
        }
        fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OutboxError.archiveFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    func append(_ db: Database, codecs: CodecTable, ids: MessageIDScheme, after: Int64, through: Int64) throws {
        let writer = try LZ4FrameWriter(fileDescriptor: fd)
        let rows = try db.prepare(
            "SELECT seq, explicit_id, type, created_at_ms, codec, raw_size, payload, layout, request_id, natural_key, event_at_ms, event_type FROM outbox WHERE seq > ? AND seq <= ? ORDER BY seq")
        try rows.bind([.integer(after), .integer(through)])
        while try rows.step() {
            guard let type = OutboxMessageType(code: rows.int(2)) else { continue }
            let id = ids.id(forSeq: rows.int64(0), explicit: rows.isNull(1) ? nil : rows.blob(1))
            let payload = try StoredPayload.read(
                rows, codecs: codecs, type: type, codec: 4, rawSize: 5, payload: 6, layout: 7, requestID: 8,
                naturalKey: 9, eventAt: 10, eventType: 11)
            var line = Envelope.encode(type: type, id: id, createdAtMS: rows.int64(3), seq: rows.int64(0), payload: payload)
            line.append(10)
            try writer.write(line)
        }
        try writer.finish()
        guard fsync(fd) == 0 else {
            throw OutboxError.archiveFailed(path: path, reason: "fsync failed: " + String(cString: strerror(errno)))
        }
    }

    func close() {
        Foundation.close(fd)
    }
}
