import Foundation
import SQLiteDB
import Testing

@Suite("Statements under a time limit")
struct TimeLimitTests {
    /// A 16 MiB file of incompressible rows with an index: enough pages that a check takes a while.
    static func bigDatabase() throws -> (Database, String) {
        let path = NSTemporaryDirectory() + "time-limit-\(UUID().uuidString).sqlite"
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); CREATE INDEX tb ON t(b)")
        try db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16000) INSERT INTO t(b) SELECT randomblob(1024) FROM n")
        return (db, path)
    }

    @Test("a statement past its deadline stops with SQLITE_INTERRUPT; the same statement without one runs to the end")
    func deadlineInterrupts() throws {
        let (db, path) = try Self.bigDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A cross join of 16,000 rows with itself: minutes of work, stopped at once.
        let started = ContinuousClock.now
        do {
            _ = try db.withTimeLimit(.milliseconds(50)) { try db.int64("SELECT count(*) FROM t a, t b WHERE a.b < b.b") }
            Issue.record("the cross join finished within its limit")
        } catch let error as SQLiteError {
            #expect(error.isInterrupted, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(30), "the deadline was not enforced")
        // The handler is gone afterwards: the check runs to the end and finds nothing.
        #expect(try db.all("PRAGMA quick_check").first?.first?.text == "ok")
    }

    @Test("an integrity check is bounded too (SQLite reports progress while it walks the pages)")
    func integrityCheckIsBounded() throws {
        let (db, path) = try Self.bigDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SQLiteError.self) {
            _ = try db.withTimeLimit(.nanoseconds(1)) { try db.all("PRAGMA integrity_check") }
        }
        #expect(try db.withTimeLimit(.seconds(600)) { try db.all("PRAGMA integrity_check") }.first?.first?.text == "ok")
    }
}
