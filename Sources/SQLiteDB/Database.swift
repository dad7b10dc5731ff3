internal import CSQLite

/// One SQLite connection. Not `Sendable` on purpose: a connection belongs to one owner (the writer
/// thread, an actor, or a CLI command) and is opened with `SQLITE_OPEN_NOMUTEX`, so SQLite's own
/// per-connection mutex is not paid for on every call.
public final class Database {
    public enum OpenMode: Sendable {
        case readWrite(create: Bool)
        case readOnly
        /// Read-only, and SQLite is told the file cannot change (`immutable=1`): it takes no locks,
        /// creates no `-shm`, and ignores any `-wal`. For a file nothing else may be writing, read
        /// without a trace (salvage reads a quarantined store this way).
        case immutable
    }

    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]
    private var commitCounter: CommitCounter?

    public init(path: String, mode: OpenMode = .readWrite(create: true)) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWrite(let create):
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        case .readOnly:
            flags |= SQLITE_OPEN_READONLY
        case .immutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
        }
        var pointer: OpaquePointer?
        let name = if case .immutable = mode { Self.immutableURI(path) } else { path }
        let result = sqlite3_open_v2(name, &pointer, flags, nil)
        guard let pointer else {
            throw SQLiteError(code: SQLITE_NOMEM, message: "out of memory opening \(path)")
        }
        if result != SQLITE_OK {
            let message = String(cString: sqlite3_errmsg(pointer))
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: result, message: "\(message) (opening \(path))")
        }
        self.handle = pointer
        self.path = path
        sqlite3_extended_result_codes(pointer, 1)
    }

    /// `file:` URI for `path` with `immutable=1`; every byte a URI would read specially is escaped.
    static func immutableURI(_ path: String) -> String {
        var uri = "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."):
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                uri += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return uri + "?immutable=1"
    }

    deinit {
        statementCache.removeAll()
        if commitCounter != nil { sqlite3_commit_hook(handle, nil, nil) }
        sqlite3_close_v2(handle)
    }

    // MARK: running SQL

    /// Runs one or more statements that return no rows (schema scripts, pragmas that set).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        if result != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(
                code: result, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var pointer: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard result == SQLITE_OK, let pointer else {
            throw lastError(code: result == SQLITE_OK ? SQLITE_MISUSE : result, sql: sql)
        }
        return Statement(handle: pointer, sql: sql, database: self)
    }

    /// A prepared statement kept for the life of the connection: hot paths prepare once.
    public func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
        try cached(sql).run(values)
    }

    public func all(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> [[SQLiteValue]] {
        try prepare(sql).all(values)
    }

    public func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteValue? {
        try prepare(sql).scalar(values)
    }

    public func int64(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int64 {
        try scalar(sql, values)?.int64 ?? 0
    }

    /// Reads a pragma's value as text (nil when the pragma returns no row).
    public func pragma(_ name: String) throws(SQLiteError) -> String? {
        guard let value = try scalar("PRAGMA \(name)") else { return nil }
        switch value {
        case .integer(let v): return String(v)
        case .text(let v): return v
        case .real(let v): return String(v)
        default: return nil
        }
    }

    public var changes: Int { Int(sqlite3_changes64(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    // MARK: transactions

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction; commits when it returns, rolls back when it throws.
    public func transaction<T>(
        _ kind: TransactionKind = .immediate, _ body: () throws -> T
    ) throws -> T {
        try run("BEGIN \(kind.rawValue)")
        do {
            let value = try body()
            try run("COMMIT")
            return value
        } catch {
            if isInTransaction { try? run("ROLLBACK") }
            throw error
        }
    }

    // MARK: backup

    /// Copies the whole database to `destination` with SQLite's online backup API.
    public func backup(to destination: String) throws(SQLiteError) {
        let target = try Database(path: destination, mode: .readWrite(create: true))
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw target.lastError(code: sqlite3_errcode(target.handle), sql: nil)
        }
        let stepResult = sqlite3_backup_step(backup, -1)
        let finishResult = sqlite3_backup_finish(backup)
        if stepResult != SQLITE_DONE {
            throw SQLiteError(code: stepResult, message: "backup to \(destination) did not complete")
        }
        if finishResult != SQLITE_OK {
            throw target.lastError(code: finishResult, sql: nil)
        }
    }

    // MARK: commit counting

    /// Counts the transactions this connection commits, as SQLite's commit hook sees them. Used to
    /// show that group commit really batches (fewer commits than appends).
    public func startCountingCommits() {
        guard commitCounter == nil else { return }
        let counter = CommitCounter()
        commitCounter = counter
        sqlite3_commit_hook(handle, commitHookCallback, Unmanaged.passUnretained(counter).toOpaque())
    }

    public var committedTransactions: Int { commitCounter?.count ?? 0 }

    // MARK: errors

    func lastError(code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(
            code: code, extendedCode: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

private final class CommitCounter {
    var count = 0
}

private func commitHookCallback(_ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 0 }
    Unmanaged<CommitCounter>.fromOpaque(context).takeUnretainedValue().count += 1
    return 0  // zero lets the commit proceed
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
