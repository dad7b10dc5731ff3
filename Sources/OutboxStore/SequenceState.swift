import SQLiteDB

/// The `sequence_state` row: seq allocator, delivery cursor, retention watermark and size counter.
/// Read at the start of every write transaction (another process may have written since) and
/// written back before it commits.
public struct SequenceState: Sendable, Equatable {
    public var lastSeq: Int64
    public var ackedSeq: Int64
    public var prunedThrough: Int64
    public var heldBytes: Int64

    static func read(_ db: Database) throws -> SequenceState {
        let statement = try db.cached(
            "SELECT last_seq, acked_seq, pruned_through, held_bytes FROM sequence_state WHERE singleton = 1")
        defer { statement.reset() }
        guard try statement.step() else {
            throw OutboxError.corrupt(path: db.path, detail: "the sequence_state row is missing")
        }
        return SequenceState(
            lastSeq: statement.int64(0), ackedSeq: statement.int64(1), prunedThrough: statement.int64(2),
            heldBytes: statement.int64(3))
    }

    func write(_ db: Database) throws {
        try db.run(
            "UPDATE sequence_state SET last_seq = ?, acked_seq = ?, pruned_through = ?, held_bytes = ? WHERE singleton = 1",
            [.integer(lastSeq), .integer(ackedSeq), .integer(prunedThrough), .integer(heldBytes)])
    }
}
