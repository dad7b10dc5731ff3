public import ConnectorCore
import Foundation
import SQLiteDB

/// `outbox stats`: what the log holds, by type and delivery state.
public struct OutboxStats: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public let type: OutboxMessageType
        public let acked: Bool
        public let messages: Int64
        public let storedBytes: Int64
        public let rawBytes: Int64

        public init(type: OutboxMessageType, acked: Bool, messages: Int64, storedBytes: Int64, rawBytes: Int64) {
            self.type = type
            self.acked = acked
            self.messages = messages
            self.storedBytes = storedBytes
            self.rawBytes = rawBytes
        }
    }

    public let state: SequenceState
    public let buckets: [Bucket]
    public let oldestPendingCreatedAtMS: Int64?
    public let droppedMessages: Int64
    public let seqJumps: Int64
    public let pruneRuns: Int64
    public let ledgerReports: Int64
    public let executions: Int64
    /// The store file plus its WAL, as the file system sees them.
    public let bytesOnDisk: Int64

    public var pendingMessages: Int64 { buckets.filter { !$0.acked }.reduce(0) { $0 + $1.messages } }
    public var heldMessages: Int64 { buckets.reduce(0) { $0 + $1.messages } }
}

extension OutboxReader {
    public func stats() throws -> OutboxStats {
        try mapped("reading outbox statistics") {
            let state = try SequenceState.read(db)
            var buckets: [OutboxStats.Bucket] = []
            let grouped = try db.prepare(
                """
                SELECT type, seq <= ?, count(*), sum(length(payload)), sum(raw_size) FROM outbox
                GROUP BY 1, 2 ORDER BY 1, 2
                """)
            try grouped.bind(1, state.ackedSeq)
            while try grouped.step() {
                guard let type = OutboxMessageType(code: grouped.int(0)) else { continue }
                buckets.append(
                    .init(type: type, acked: grouped.int(1) != 0, messages: grouped.int64(2),
                          storedBytes: grouped.int64(3), rawBytes: grouped.int64(4)))
            }
            let oldest = try db.scalar(
                "SELECT created_at_ms FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1", [.integer(state.ackedSeq)])
            return OutboxStats(
                state: state, buckets: buckets, oldestPendingCreatedAtMS: oldest?.int64,
                droppedMessages: try db.int64("SELECT count(*) FROM dropped_messages"),
                seqJumps: try db.int64("SELECT count(*) FROM seq_jumps"),
                pruneRuns: try db.int64("SELECT count(*) FROM prune_log"),
                ledgerReports: try db.int64("SELECT count(*) FROM usage_ledger"),
                executions: try db.int64("SELECT count(*) FROM executions"),
                bytesOnDisk: Self.fileSize(path) + Self.fileSize(path + "-wal"))
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
