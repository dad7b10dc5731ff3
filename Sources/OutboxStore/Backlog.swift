import SQLiteDB

/// How far delivery has come, read in one snapshot: for heartbeats (`last_seq`, `pending`) and for
/// `cloud-connector status`.
public struct Backlog: Sendable, Equatable {
    /// The highest seq ever assigned (`connect.resume.last_seq`, `heartbeat.last_seq`).
    public var lastSeq: Int64
    /// The cloud's cumulative ack as recorded.
    public var ackedSeq: Int64
    public var prunedThrough: Int64
    /// Held messages above `ackedSeq`: what the cloud has not confirmed yet.
    public var pending: Int64
    /// When the oldest pending message was created; nil when nothing is pending.
    public var oldestPendingCreatedAtMS: Int64?
}

extension OutboxReader {
    /// Costs a count over the pending range of the seq b-tree: a few ms per 100k pending messages.
    public func backlog() throws -> Backlog {
        try mapped("reading the backlog") {
            let statement = try db.cached(
                """
                SELECT s.last_seq, s.acked_seq, s.pruned_through,
                       (SELECT count(*) FROM outbox WHERE seq > s.acked_seq),
                       (SELECT created_at_ms FROM outbox WHERE seq > s.acked_seq ORDER BY seq LIMIT 1)
                FROM sequence_state s WHERE s.singleton = 1
                """)
            defer { statement.reset() }
            guard try statement.step() else {
                throw OutboxError.corrupt(path: path, detail: "the sequence_state row is missing")
            }
            return Backlog(
                lastSeq: statement.int64(0), ackedSeq: statement.int64(1), prunedThrough: statement.int64(2),
                pending: statement.int64(3), oldestPendingCreatedAtMS: statement.isNull(4) ? nil : statement.int64(4))
        }
    }

    /// The highest seq assigned so far: cheap enough to ask on every change notification.
    public func lastAssignedSeq() throws -> Int64 {
        try mapped("reading the sequence state") {
            let statement = try db.cached("SELECT last_seq FROM sequence_state WHERE singleton = 1")
            defer { statement.reset() }
            return try statement.step() ? statement.int64(0) : 0
        }
    }

    /// What the service last reported about its link; nil when no service has run on this store.
    public func linkStatus() throws -> LinkStatusRecord? {
        try mapped("reading the link status") { try LinkStatusRecord.read(db) }
    }

    /// The most recent R7 jump (the cloud held seqs this store never assigned), if any.
    public func lastSequenceJump() throws -> SequenceJump? {
        try mapped("reading the seq jumps") {
            let statement = try db.prepare("SELECT from_seq, to_seq, jumped_at_ms FROM seq_jumps ORDER BY id DESC LIMIT 1")
            guard try statement.step() else { return nil }
            return SequenceJump(fromSeq: statement.int64(0), toSeq: statement.int64(1), atMS: statement.int64(2))
        }
    }

    /// The most recent ack rewind (the cloud answered with a lower acked_seq than it had given), if any.
    public func lastAckRewind() throws -> AckRewind? {
        try mapped("reading the ack rewinds") {
            let statement = try db.prepare(
                "SELECT from_seq, to_seq, pruned_through, rewound_at_ms FROM ack_rewinds ORDER BY id DESC LIMIT 1")
            guard try statement.step() else { return nil }
            return AckRewind(
                fromSeq: statement.int64(0), toSeq: statement.int64(1), prunedThrough: statement.int64(2),
                atMS: statement.int64(3))
        }
    }
}

/// R7: the store's next seq was moved from `fromSeq` past `toSeq` because the cloud held seqs it
/// never assigned.
public struct SequenceJump: Sendable, Equatable {
    public var fromSeq: Int64
    public var toSeq: Int64
    public var atMS: Int64
}

/// The delivery cursor went back from `fromSeq` to `toSeq` because the cloud lost data. Seqs in
/// `(toSeq, prunedThrough]` were already pruned and could not be resent.
public struct AckRewind: Sendable, Equatable {
    public var fromSeq: Int64
    public var toSeq: Int64
    public var prunedThrough: Int64
    public var atMS: Int64

    /// How many seqs the cloud lost for good (0 when everything it lost was still held).
    public var unrecoverableSeqs: Int64 { max(0, prunedThrough - toSeq) }
}
