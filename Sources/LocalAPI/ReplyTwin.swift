import ConnectorCore
import OutboxStore

/// What a local append came back with, duplicates included.
struct AppendResult: Sendable {
    let seq: Int64
    let id: MessageID
    let duplicate: Bool

    init(seq: Int64, id: MessageID, duplicate: Bool) {
        self.seq = seq
        self.id = id
        self.duplicate = duplicate
    }

    init(_ appended: AppendedMessage) {
        self.init(seq: appended.seq, id: appended.id, duplicate: appended.duplicate)
    }
}

/// Retry detection for messaging replies. The store deduplicates events and usage reports by their
/// event_id/report_id (R2), but a reply has no id of its own, and one request may rightly get two
/// replies (a `completed` one, then a `duplicate` one for a redelivery, R11). A byte-identical reply
/// for the same request_id, timestamp included, is however a retry of a POST whose answer was lost:
/// sending it twice would show the user the same message twice.
///
/// The outbox has no index by request_id (it would cost every append), so only the most recent
/// `window` seqs are searched, through the seq index. A retry comes seconds after the first attempt,
/// not ten thousand messages later.
enum ReplyTwin {
    static let window: Int64 = 10_000

    static func find(in reader: OutboxReader, requestID: String, payload: [UInt8]) throws -> AppendResult? {
        var filter = InspectFilter()
        filter.type = .messagingReply
        filter.requestID = requestID
        filter.fromSeq = max(try reader.lastAssignedSeq() - window, 0) + 1
        filter.limit = 100
        var after: Int64 = 0
        while true {
            let rows = try reader.inspect(filter, after: after)
            for row in rows {
                // The stored payload is re-encoded exactly as it was appended (the store's own
                // event_id/report_id dedupe compares the same bytes).
                if let stored = try reader.message(seq: row.seq), stored.payload == payload {
                    return AppendResult(seq: stored.seq, id: stored.id, duplicate: true)
                }
            }
            guard rows.count == filter.limit, let last = rows.last else { return nil }
            after = last.seq
        }
    }
}
