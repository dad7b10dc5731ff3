import ConnectorCore
import Foundation
import SQLiteDB

/// A read connection to the outbox. Each call is one short read transaction (one statement run, or a
/// page of at most `limit` rows), so a reader never holds a snapshot long enough to starve WAL
/// checkpoints, and memory stays constant whatever the backlog. Not `Sendable`: one owner at a time.
public final class OutboxReader {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme
    let faults: OutboxFaults
    public let path: String

    init(path: String, codecs: CodecTable, ids: MessageIDScheme, options: OutboxOptions) throws {
        do {
            db = try StoreConnection.open(
                path: path, durability: options.durability,
                busyTimeoutMilliseconds: options.busyTimeoutMilliseconds, readOnly: true)
        } catch {
            throw OutboxErrorMapping.map(error, operation: "opening a reader", path: path)
        }
        self.codecs = codecs
        self.ids = ids
        self.faults = options.faults
        self.path = path
    }

    static let rowColumns =
        "seq, explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key, event_type, codec, raw_size, length(payload), layout"

    public func sequenceState() throws -> SequenceState {
        try mapped("reading the sequence state") { try SequenceState.read(db) }
    }

    /// The next page of messages the cloud has not acked, in seq order (R4, R7), with payloads.
    public func pendingPage(after seq: Int64, limit: Int) throws -> [StoredMessage] {
        try mapped("reading pending messages") {
            let order = faults.contains(.pendingOutOfOrder) ? "DESC" : "ASC"
            let statement = try db.cached(
                """
                SELECT \(Self.rowColumns), payload, (SELECT acked_seq FROM sequence_state) FROM outbox
                WHERE seq > max(?, (SELECT acked_seq FROM sequence_state)) ORDER BY seq \(order) LIMIT ?
                """)
            defer { statement.reset() }
            try statement.bind(1, seq)
            try statement.bind(2, limit)
            var page: [StoredMessage] = []
            while try statement.step() {
                page.append(try message(statement, withPayload: true, ackedSeq: statement.int64(13)))
            }
            return page
        }
    }

    /// One message with its decoded payload.
    public func message(seq: Int64) throws -> StoredMessage? {
        try mapped("reading a message") {
            let statement = try db.prepare(
                "SELECT \(Self.rowColumns), payload, (SELECT acked_seq FROM sequence_state) FROM outbox WHERE seq = ?")
            try statement.bind(1, seq)
            return try statement.step() ? try message(statement, withPayload: true, ackedSeq: statement.int64(13)) : nil
        }
    }

    /// Messages matching `filter`, in seq order, without payloads; `after` pages through results.
    public func inspect(_ filter: InspectFilter, after: Int64 = 0) throws -> [StoredMessage] {
        try mapped("inspecting the outbox") {
            var clauses = ["seq > ?"]
            var values: [SQLiteValue] = [.integer(after)]
            switch filter.delivery {
            case .pending: clauses.append("seq > (SELECT acked_seq FROM sequence_state)")
            case .acked: clauses.append("seq <= (SELECT acked_seq FROM sequence_state)")
            case .all: break
            }
            if let type = filter.type {
                clauses.append("type = ?")
                values.append(.integer(Int64(type.code)))
            }
            if let requestID = filter.requestID {
                clauses.append("request_id = ?")
                values.append(StoredKey.encode(requestID))
            }
            if let from = filter.fromSeq {
                clauses.append("seq >= ?")
                values.append(.integer(from))
            }
            if let to = filter.toSeq {
                clauses.append("seq <= ?")
                values.append(.integer(to))
            }
            if let since = filter.sinceMS {
                clauses.append("created_at_ms >= ?")
                values.append(.integer(since))
            }
            if let until = filter.untilMS {
                clauses.append("created_at_ms < ?")
                values.append(.integer(until))
            }
            values.append(.integer(Int64(filter.limit)))
            let statement = try db.prepare(
                """
                SELECT \(Self.rowColumns), NULL, (SELECT acked_seq FROM sequence_state) FROM outbox
                WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT ?
                """)
            try statement.bind(values)
            var rows: [StoredMessage] = []
            while try statement.step() {
                rows.append(try message(statement, withPayload: false, ackedSeq: statement.int64(13)))
            }
            return rows
        }
    }

    func message(_ statement: Statement, withPayload: Bool, ackedSeq: Int64) throws -> StoredMessage {
        let seq = statement.int64(0)
        guard let type = OutboxMessageType(code: statement.int(2)) else {
            throw OutboxError.corrupt(path: path, detail: "row seq \(seq) has an unreadable type")
        }
        let id = ids.id(forSeq: seq, explicit: statement.isNull(1) ? nil : statement.blob(1))
        var payload: [UInt8] = []
        if withPayload {
            payload = try StoredPayload.read(
                statement, codecs: codecs, type: type, codec: 8, rawSize: 9, payload: 12, layout: 11, requestID: 3,
                naturalKey: 6, eventAt: 5, eventType: 7)
        }
        return StoredMessage(
            seq: seq, id: id, type: type, requestID: StoredKey.decode(statement, 3), createdAtMS: statement.int64(4),
            eventAtMS: statement.int64(5), naturalKey: StoredKey.decodeOptional(statement, 6),
            eventType: statement.optionalString(7).flatMap(ExecutionEventType.init(rawValue:)),
            codec: statement.int(8), rawSize: statement.int(9), storedSize: statement.int(10),
            acked: seq <= ackedSeq, payload: payload)
    }

    func mapped<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw OutboxErrorMapping.map(error, operation: operation, path: path)
        }
    }
}

extension OutboxStore {
    /// A new read connection. Readers work beside the writer and beside other processes.
    public func makeReader() throws -> OutboxReader {
        try OutboxReader(path: path, codecs: codecs, ids: ids, options: options)
    }
}
