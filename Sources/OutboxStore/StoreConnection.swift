import SQLiteDB

/// Opens connections to the outbox file with the settings every connection must have. The writer
/// reads back `PRAGMA synchronous` so that a misconfigured connection is caught, not trusted.
enum StoreConnection {
    static func open(
        path: String, durability: Durability, busyTimeoutMilliseconds: Int32, readOnly: Bool = false,
        faults: OutboxFaults = []
    ) throws(SQLiteError) -> Database {
        // Readers open read-write but set query_only: a READONLY connection cannot recreate the WAL
        // index of a store that was closed cleanly, and query_only still guarantees it never writes.
        let db = try Database(path: path, mode: .readWrite(create: !readOnly))
        db.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try db.execute("PRAGMA foreign_keys = ON")
        try db.execute("PRAGMA temp_store = MEMORY")
        if readOnly {
            try db.execute("PRAGMA query_only = ON")
        } else {
            // auto_vacuum can only be chosen before the file is initialised, which the WAL switch
            // below does; INCREMENTAL lets prune hand freed pages back. A no-op on existing files.
            try db.execute("PRAGMA page_size = 8192")
            try db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            // WAL lets readers (CLI audits, the dispatcher) run beside the writer without blocking it.
            _ = try db.pragma("journal_mode = WAL")
            // Bound the WAL file after checkpoints so a burst does not leave a large file behind.
            _ = try db.pragma("journal_size_limit = 67108864")
            let level = faults.contains(.skipFsync) ? "OFF" : (durability == .full ? "FULL" : "NORMAL")
            try db.execute("PRAGMA synchronous = \(level)")
            // Read the setting back instead of trusting it: a write connection that would not fsync
            // as configured must not be used.
            let actual = try synchronousLevel(db)
            let expected: Int64 = durability == .full ? 2 : 1
            if actual != expected && !faults.contains(.skipFsync) {
                throw SQLiteError(
                    code: 1, message: "PRAGMA synchronous reads back \(actual), expected \(expected) (\(durability.rawValue))")
            }
        }
        return db
    }

    /// The value of `PRAGMA synchronous` as SQLite reports it: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    static func synchronousLevel(_ db: Database) throws(SQLiteError) -> Int64 {
        try db.int64("PRAGMA synchronous")
    }
}
