internal import CSQLite
import ConnectorCore
import OutboxStore

/// The raw-SQLite baseline of P1: the same outbox rows, inserted with plain C-API calls
/// (sqlite3_prepare_v2 / bind / step, no wrapper), so only SQLite's own work is timed.
///
/// Every column value is computed before the clock starts and kept in one byte arena, bound with
/// SQLITE_STATIC (no copies).
struct RawRows: Sendable {
    struct Slice: Sendable {
        var offset: Int
        var count: Int
    }

    struct Row: Sendable {
        var seq: Int64
        var type: Int64
        var createdAtMS: Int64
        var eventAtMS: Int64
        var codec: Int64
        var rawSize: Int64
        var requestID: Slice
        var requestIDIsBlob: Bool
        /// The executions projection keys by the request id's text.
        var requestIDText: Slice
        var naturalKey: Slice?
        var naturalKeyIsBlob: Bool
        var eventType: Slice?
        var jobType: Slice?
        var payload: Slice
        /// For the store-equivalent diagnostic: the status an execution summary takes from this event.
        var executionStatus: Slice?
    }

    var rows: [Row] = []
    var arena: [UInt8] = []
    var rawBytes = 0
    var storedBytes = 0

    /// Column values of `messages` as the store would write them, with seqs 1...n.
    init(_ messages: [PreparedMessage]) {
        rows.reserveCapacity(messages.count)
        for (index, message) in messages.enumerated() {
            var eventType: String?
            var jobType: String?
            var status: String?
            if case .execution(let execution) = message.fields.detail {
                eventType = execution.eventType.rawValue
                jobType = execution.eventType == .accepted ? execution.jobType : nil
                switch execution.eventType {
                case .accepted: status = "accepted"
                case .started, .progress: status = "running"
                case .completed: status = "completed"
                case .failed: status = "failed"
                case .cancelled: status = "cancelled"
                }
            }
            rows.append(Row(
                seq: Int64(index + 1), type: Int64(message.type.code), createdAtMS: message.createdAtMS,
                eventAtMS: message.fields.timestampMS, codec: Int64(message.codec), rawSize: Int64(message.rawSize),
                requestID: store(Self.compact(message.fields.requestID)),
                requestIDIsBlob: Self.compactsToBlob(message.fields.requestID),
                requestIDText: store(Array(message.fields.requestID.utf8)),
                naturalKey: message.fields.naturalKey.map { store(Self.compact($0)) },
                naturalKeyIsBlob: message.fields.naturalKey.map(Self.compactsToBlob) ?? false,
                eventType: eventType.map { store(Array($0.utf8)) }, jobType: jobType.map { store(Array($0.utf8)) },
                payload: store(message.stored), executionStatus: status.map { store(Array($0.utf8)) }))
            rawBytes += message.payloadBytes.count
            storedBytes += message.stored.count
        }
    }

    /// The store keeps canonical lower-case UUID text as its 16 bytes (StoredKey): so does the baseline.
    static func compactsToBlob(_ text: String) -> Bool {
        text.utf8.count == 36 && MessageID(string: text)?.description == text
    }

    static func compact(_ text: String) -> [UInt8] {
        compactsToBlob(text) ? MessageID(string: text)!.bytes : Array(text.utf8)
    }

    private mutating func store(_ bytes: [UInt8]) -> Slice {
        defer { arena.append(contentsOf: bytes) }
        return Slice(offset: arena.count, count: bytes.count)
    }
}

enum RawSQLite {
    enum Work: Sendable {
        /// One INSERT per row: the raw limit the issue asks for.
        case plainInsert
        /// The SQL the store runs per append (savepoint, natural-key lookup, INSERT, execution
        /// summary read + upsert, release) and per transaction (sequence_state read + write): shows
        /// how much of the store's cost is SQLite work.
        case storeEquivalent
    }

    struct Result: Sendable {
        var rows: Int
        var transactions: Int
        var seconds: Double
        /// Bytes written (WAL frames, checkpoints) while the rows went in.
        var bytesWritten: Int64?
        var rowsPerSecond: Double { Double(rows) / seconds }
    }

    /// Inserts `rows` into the `outbox` table of the existing store file at `path`, `batch` rows per
    /// transaction, with the store's connection settings (WAL, synchronous=FULL).
    static func insert(_ data: RawRows, path: String, batch: Int, work: Work) throws -> Result {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let db = handle else {
            sqlite3_close_v2(handle)
            throw BenchFailure("raw open of \(path) failed")
        }
        defer { sqlite3_close_v2(db) }
        try exec(db, """
            PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA journal_mode = WAL;
            PRAGMA journal_size_limit = 67108864; PRAGMA synchronous = FULL;
            """)
        let level = try prepare(db, "PRAGMA synchronous")
        guard sqlite3_step(level) == SQLITE_ROW, sqlite3_column_int64(level, 0) == 2 else {
            sqlite3_finalize(level)
            throw BenchFailure("raw connection: PRAGMA synchronous is not FULL")
        }
        sqlite3_finalize(level)

        var statements: [OpaquePointer] = []
        defer { statements.forEach { sqlite3_finalize($0) } }
        func make(_ sql: String) throws -> OpaquePointer {
            let statement = try prepare(db, sql)
            statements.append(statement)
            return statement
        }
        let begin = try make("BEGIN IMMEDIATE")
        let commit = try make("COMMIT")
        let insert = try make(
            """
            INSERT INTO outbox (seq, explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key,
                                event_type, job_type, codec, raw_size, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let readState = try make(
            "SELECT last_seq, acked_seq, pruned_through, held_bytes FROM sequence_state WHERE singleton = 1")
        let writeState = try make(
            "UPDATE sequence_state SET last_seq = ?, acked_seq = ?, pruned_through = ?, held_bytes = ? WHERE singleton = 1")
        let savepoint = try make("SAVEPOINT unit")
        let release = try make("RELEASE unit")
        let findExisting = try make(
            "SELECT seq, explicit_id, created_at_ms, codec, raw_size, payload FROM outbox WHERE type = ? AND natural_key = ?")
        let readExecution = try make(
            """
            SELECT request_id, job_type, job_type_seq, status, first_event_ms, last_event_ms, first_seq, last_seq,
                   terminal_seq, terminal_at_ms, duration_ms, event_count FROM executions WHERE request_id = ?
            """)
        let upsertExecution = try make(
            """
            INSERT INTO executions (request_id, job_type, job_type_seq, status, first_event_ms, last_event_ms,
                                    first_seq, last_seq, terminal_seq, terminal_at_ms, duration_ms, event_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (request_id) DO UPDATE SET job_type = excluded.job_type,
                job_type_seq = excluded.job_type_seq, status = excluded.status,
                first_event_ms = excluded.first_event_ms, last_event_ms = excluded.last_event_ms,
                first_seq = excluded.first_seq, last_seq = excluded.last_seq,
                terminal_seq = excluded.terminal_seq, terminal_at_ms = excluded.terminal_at_ms,
                duration_ms = excluded.duration_ms, event_count = excluded.event_count
            """)

        var transactions = 0
        let writtenBefore = IOCounters.writtenBytes()
        let start = Measure.now()
        try data.arena.withUnsafeBytes { arena in
            func bindText(_ statement: OpaquePointer, _ index: Int32, _ slice: RawRows.Slice?) {
                if let slice {
                    let pointer = (arena.baseAddress! + slice.offset).assumingMemoryBound(to: CChar.self)
                    sqlite3_bind_text(statement, index, pointer, Int32(slice.count), nil)
                } else {
                    sqlite3_bind_null(statement, index)
                }
            }
            func bindBlob(_ statement: OpaquePointer, _ index: Int32, _ slice: RawRows.Slice) {
                sqlite3_bind_blob(statement, index, arena.baseAddress! + slice.offset, Int32(slice.count), nil)
            }
            func bindKey(_ statement: OpaquePointer, _ index: Int32, _ slice: RawRows.Slice?, blob: Bool) {
                if let slice, blob { bindBlob(statement, index, slice) } else { bindText(statement, index, slice) }
            }
            func run(_ statement: OpaquePointer) throws {
                let result = sqlite3_step(statement)
                sqlite3_reset(statement)
                guard result == SQLITE_DONE || result == SQLITE_ROW else {
                    throw BenchFailure("raw step failed: \(String(cString: sqlite3_errmsg(db)))")
                }
            }
            var lastSeq: Int64 = 0
            var heldBytes: Int64 = 0
            var first = 0
            while first < data.rows.count {
                let end = min(first + batch, data.rows.count)
                try run(begin)
                if work == .storeEquivalent {
                    guard sqlite3_step(readState) == SQLITE_ROW else { throw BenchFailure("no sequence_state row") }
                    lastSeq = sqlite3_column_int64(readState, 0)
                    heldBytes = sqlite3_column_int64(readState, 3)
                    sqlite3_reset(readState)
                }
                for row in data.rows[first..<end] {
                    if work == .storeEquivalent {
                        try run(savepoint)
                        sqlite3_bind_int64(findExisting, 1, row.type)
                        bindKey(findExisting, 2, row.naturalKey, blob: row.naturalKeyIsBlob)
                        try run(findExisting)
                    }
                    sqlite3_bind_int64(insert, 1, row.seq)
                    sqlite3_bind_null(insert, 2)
                    sqlite3_bind_int64(insert, 3, row.type)
                    bindKey(insert, 4, row.requestID, blob: row.requestIDIsBlob)
                    sqlite3_bind_int64(insert, 5, row.createdAtMS)
                    sqlite3_bind_int64(insert, 6, row.eventAtMS)
                    bindKey(insert, 7, row.naturalKey, blob: row.naturalKeyIsBlob)
                    bindText(insert, 8, row.eventType)
                    bindText(insert, 9, row.jobType)
                    sqlite3_bind_int64(insert, 10, row.codec)
                    sqlite3_bind_int64(insert, 11, row.rawSize)
                    bindBlob(insert, 12, row.payload)
                    try run(insert)
                    if work == .storeEquivalent {
                        lastSeq = row.seq
                        heldBytes += Int64(row.payload.count) + PreparedMessage.rowOverhead
                        if let status = row.executionStatus {
                            bindText(readExecution, 1, row.requestIDText)
                            try run(readExecution)
                            bindText(upsertExecution, 1, row.requestIDText)
                            bindText(upsertExecution, 2, row.jobType)
                            sqlite3_bind_null(upsertExecution, 3)
                            bindText(upsertExecution, 4, status)
                            sqlite3_bind_int64(upsertExecution, 5, row.eventAtMS)
                            sqlite3_bind_int64(upsertExecution, 6, row.eventAtMS)
                            sqlite3_bind_int64(upsertExecution, 7, row.seq)
                            sqlite3_bind_int64(upsertExecution, 8, row.seq)
                            for index: Int32 in 9...11 { sqlite3_bind_null(upsertExecution, index) }
                            sqlite3_bind_int64(upsertExecution, 12, 1)
                            try run(upsertExecution)
                        }
                        try run(release)
                    }
                }
                if work == .storeEquivalent {
                    sqlite3_bind_int64(writeState, 1, lastSeq)
                    sqlite3_bind_int64(writeState, 2, 0)
                    sqlite3_bind_int64(writeState, 3, 0)
                    sqlite3_bind_int64(writeState, 4, heldBytes)
                    try run(writeState)
                }
                try run(commit)
                transactions += 1
                first = end
            }
        }
        let seconds = Measure.seconds(since: start)
        let written = writtenBefore.flatMap { before in IOCounters.writtenBytes().map { $0 - before } }
        try exec(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        return Result(rows: data.rows.count, transactions: transactions, seconds: seconds, bytesWritten: written)
    }

    private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchFailure("raw prepare failed: \(String(cString: sqlite3_errmsg(db))) in \(sql)")
        }
        return statement
    }

    private static func exec(_ db: OpaquePointer, _ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "?"
            sqlite3_free(message)
            throw BenchFailure("raw exec failed: \(text)")
        }
    }
}
