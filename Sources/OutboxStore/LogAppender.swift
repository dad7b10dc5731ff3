import ConnectorCore
import SQLiteDB

/// Writes one prepared message into the log and its projections, inside the writer's open
/// transaction. Called only on the writer thread.
struct LogAppender {
    let db: Database
    let codecs: CodecTable
    let ids: MessageIDScheme
    let faults: OutboxFaults

    /// Inserts `message` with the next seq, or returns the stored message when its id (a salvaged
    /// message's own) or its natural key (event_id / report_id) is already held with the same content.
    func append(_ message: PreparedMessage, state: inout SequenceState) throws -> AppendedMessage {
        var naturalKey = message.fields.naturalKey
        if let explicit = message.explicitID, let existing = try findByID(explicit, message, state: state) {
            return existing
        }
        if faults.contains(.ignoreNaturalKey), let key = naturalKey {
            naturalKey = key + "#" + MessageID.random().description
        } else if let existing = try findExisting(message) {
            return existing
        }
        let seq = state.lastSeq + 1
        try insertRow(message, seq: seq, naturalKey: naturalKey)
        state.lastSeq = seq
        state.heldBytes += message.heldBytes
        try project(message, seq: seq, naturalKey: naturalKey)
        return AppendedMessage(
            seq: seq, id: message.explicitID ?? ids.id(forSeq: seq), createdAtMS: message.createdAtMS,
            type: message.type, duplicate: false)
    }

    private func insertRow(_ message: PreparedMessage, seq: Int64, naturalKey: String?) throws {
        let statement = try db.cached(
            """
            INSERT INTO outbox (seq, explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key,
                                event_type, job_type, codec, raw_size, payload, layout)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { statement.reset() }
        try statement.bind(1, seq)
        if let explicit = message.explicitID { try statement.bind(2, blob: explicit.bytes) }
        try statement.bind(3, message.type.code)
        try statement.bind(4, StoredKey.encode(message.fields.requestID))
        try statement.bind(5, message.createdAtMS)
        try statement.bind(6, message.fields.timestampMS)
        if let naturalKey { try statement.bind(7, StoredKey.encode(naturalKey)) }
        if case .execution(let execution) = message.fields.detail {
            try statement.bind(8, execution.eventType.rawValue)
            try statement.bind(9, execution.eventType == .accepted ? execution.jobType : nil)
        }
        try statement.bind(10, message.codec)
        try statement.bind(11, message.rawSize)
        try statement.bind(12, blob: message.stored)
        try statement.bind(13, message.layout.layout)
        try statement.step()
    }

    /// Updates the projections the message derives, in the same transaction as the row itself.
    private func project(_ message: PreparedMessage, seq: Int64, naturalKey: String?) throws {
        switch message.fields.detail {
        case .execution(let execution):
            let summary = ExecutionSummary(
                requestID: message.fields.requestID, seq: seq, eventType: execution.eventType,
                eventAtMS: message.fields.timestampMS, jobType: execution.jobType)
            try ExecutionTable.live.merge(db, summary)
        case .usage(var usage):
            if faults.contains(.forgetLedgerRow) { return }
            if let naturalKey { usage.reportID = naturalKey }
            try UsageLedger.insert(
                db,
                LedgerEntry(
                    seq: seq, messageID: message.explicitID ?? ids.id(forSeq: seq), createdAtMS: message.createdAtMS,
                    requestID: message.fields.requestID, reportedAtMS: message.fields.timestampMS,
                    usage: usage))
        case .reply:
            break
        }
    }

    /// The message this store holds or held under `id`, if any. Ids are the cloud's idempotency key
    /// (R6), so one id never names two messages: the same content is a duplicate, other content a
    /// conflict, and an id whose row was retired (pruned, dropped) is a duplicate too — that message
    /// was this store's. Nil when this store never gave `id` to a message, including a derived id of
    /// a seq it skipped (R7) or gave to a message with an id of its own.
    private func findByID(_ id: MessageID, _ message: PreparedMessage, state: SequenceState) throws -> AppendedMessage? {
        let duplicate = { (seq: Int64) in
            AppendedMessage(seq: seq, id: id, createdAtMS: message.createdAtMS, type: message.type, duplicate: true)
        }
        let byOwnID = try db.cached("SELECT \(Self.storedColumns) FROM outbox WHERE explicit_id = ?")
        defer { byOwnID.reset() }
        try byOwnID.bind(1, blob: id.bytes)
        if try byOwnID.step() {
            return try sameMessage(byOwnID, id: id, message)
        }
        if !faults.contains(.forgetRetiredIDs) {
            let retired = try db.cached("SELECT seq FROM retired_explicit_ids WHERE id = ?")
            defer { retired.reset() }
            try retired.bind(1, blob: id.bytes)
            if try retired.step() { return duplicate(retired.int64(0)) }
        }

        guard let seq = ids.seq(forDerived: id), seq <= state.lastSeq else { return nil }
        let bySeq = try db.cached("SELECT \(Self.storedColumns), explicit_id IS NULL FROM outbox WHERE seq = ?")
        defer { bySeq.reset() }
        try bySeq.bind(1, seq)
        if try bySeq.step() {
            // The seq holds a message with an id of its own: its derived id was never given out.
            return bySeq.int(11) == 1 ? try sameMessage(bySeq, id: id, message) : nil
        }
        switch try Self.whyMissing(seq, db: db) {
        case .retiredWithOwnID, .skipped: return nil
        case .dropped(let droppedID): return droppedID == id ? duplicate(seq) : nil
        case .unrecorded:
            // Pruned as a prefix (it carried its derived id: one of its own would be in
            // retired_explicit_ids), or missing for no recorded reason (verify reports that; taking
            // the message again loses nothing).
            return seq <= state.prunedThrough ? duplicate(seq) : nil
        }
    }

    static let storedColumns =
        "seq, created_at_ms, type, codec, raw_size, payload, layout, request_id, natural_key, event_at_ms, event_type"

    enum Missing {
        /// Retired while it held a message with an id of its own.
        case retiredWithOwnID
        /// Dropped by the size bound (R4); the id it had.
        case dropped(MessageID?)
        /// Inside an R7 jump: never assigned here (or vacated by a renumbering, its message moved
        /// with its id kept).
        case skipped
        case unrecorded
    }

    /// Why the log holds no row under `seq`, as far as the store recorded it.
    static func whyMissing(_ seq: Int64, db: Database) throws -> Missing {
        if try db.scalar("SELECT 1 FROM retired_explicit_ids WHERE seq = ?", [.integer(seq)]) != nil {
            return .retiredWithOwnID
        }
        if let dropped = try db.scalar("SELECT id FROM dropped_messages WHERE seq = ?", [.integer(seq)]) {
            guard case .blob(let bytes) = dropped else { return .dropped(nil) }
            return .dropped(MessageID(bytes: bytes))
        }
        if try db.scalar("SELECT 1 FROM seq_jumps WHERE from_seq < ?1 AND to_seq >= ?1 LIMIT 1", [.integer(seq)]) != nil {
            return .skipped
        }
        return .unrecorded
    }

    private func sameMessage(_ row: Statement, id: MessageID, _ message: PreparedMessage) throws -> AppendedMessage {
        let seq = row.int64(0)
        guard let type = OutboxMessageType(code: row.int(2)), type == message.type,
            try StoredPayload.read(
                row, codecs: codecs, type: type, codec: 3, rawSize: 4, payload: 5, layout: 6, requestID: 7,
                naturalKey: 8, eventAt: 9, eventType: 10) == message.payloadBytes
        else {
            throw OutboxError.duplicateConflict(type: message.type, naturalKey: "id \(id)", existingSeq: seq)
        }
        return AppendedMessage(seq: seq, id: id, createdAtMS: row.int64(1), type: type, duplicate: true)
    }

    /// The stored twin of a message with the same event_id/report_id, if any. Same content: the
    /// append is idempotent and returns it. Different content: a conflict the caller must resolve.
    private func findExisting(_ message: PreparedMessage) throws -> AppendedMessage? {
        guard let key = message.fields.naturalKey else { return nil }
        let statement = try db.cached(
            "SELECT seq, explicit_id, created_at_ms, codec, raw_size, payload, layout, request_id, natural_key, event_at_ms, event_type FROM outbox WHERE type = ? AND natural_key = ?")
        defer { statement.reset() }
        try statement.bind(1, message.type.code)
        try statement.bind(2, StoredKey.encode(key))
        if try statement.step() {
            let seq = statement.int64(0)
            let stored = try StoredPayload.read(
                statement, codecs: codecs, type: message.type, codec: 3, rawSize: 4, payload: 5, layout: 6,
                requestID: 7, naturalKey: 8, eventAt: 9, eventType: 10)
            guard stored == message.payloadBytes else {
                throw OutboxError.duplicateConflict(type: message.type, naturalKey: key, existingSeq: seq)
            }
            let explicit = statement.isNull(1) ? nil : statement.blob(1)
            return AppendedMessage(
                seq: seq, id: ids.id(forSeq: seq, explicit: explicit), createdAtMS: statement.int64(2),
                type: message.type, duplicate: true)
        }
        // A usage report whose log row was pruned is still known to the ledger, which is never pruned:
        // billing must not count a late retry twice.
        if case .usage(let usage) = message.fields.detail, let entry = try UsageLedger.read(db, reportID: key) {
            guard entry.usage == usage, entry.requestID == message.fields.requestID,
                entry.reportedAtMS == message.fields.timestampMS
            else {
                throw OutboxError.duplicateConflict(type: message.type, naturalKey: key, existingSeq: entry.seq)
            }
            return AppendedMessage(
                seq: entry.seq, id: entry.messageID, createdAtMS: entry.createdAtMS, type: message.type,
                duplicate: true)
        }
        return nil
    }
}
