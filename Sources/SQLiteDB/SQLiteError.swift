internal import CSQLite

/// A failed SQLite call: the result code, SQLite's own message, and the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …).
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, …).
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }
    public var isUniqueViolation: Bool {
        extendedCode == SQLiteError.constraintUnique || extendedCode == SQLiteError.constraintPrimaryKey
    }

    // Extended codes are C macros built with `|` and `<<`, which Swift does not import.
    static let constraintUnique: Int32 = 19 | (8 << 8)
    static let constraintPrimaryKey: Int32 = 19 | (6 << 8)
    public var isDiskFull: Bool { code == SQLITE_FULL }
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }
    public var isReadOnly: Bool { code == SQLITE_READONLY }
    public var isCannotOpen: Bool { code == SQLITE_CANTOPEN }

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        if let sql {
            let shown = sql.count > 120 ? String(sql.prefix(117)) + "..." : sql
            return "SQLite error \(extendedCode) (\(name)): \(message) [in: \(shown)]"
        }
        return "SQLite error \(extendedCode) (\(name)): \(message)"
    }
}
