import SQLiteDB

/// Edits the store behind the connector's back, as a bug or a person with sqlite3 could.
enum StoreTampering {
    static func run(_ fixture: Fixture, _ sql: String) throws {
        let db = try Database(path: fixture.dataDir + "/outbox.sqlite", mode: .readWrite(create: false))
        db.setBusyTimeout(milliseconds: 5_000)
        try db.execute(sql)
    }
}
