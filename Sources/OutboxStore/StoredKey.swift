import SQLiteDB

/// How request ids and natural keys are kept in the log: 16 bytes when the text is a canonical
/// lower-case UUID (converting back gives exactly the same text), else the text itself. Most ids
/// are UUIDs, and 16 bytes instead of 36 shrink every row and index entry that holds them.
enum StoredKey {
    static func encode(_ text: String) -> SQLiteValue {
        if text.utf8.count == 36, let id = MessageID(string: text), id.description == text {
            return .blob(id.bytes)
        }
        return .text(text)
    }

    static func decode(_ statement: Statement, _ column: Int32) -> String {
        if case .blob(let bytes) = statement.value(column), let id = MessageID(bytes: bytes) {
            return id.description
        }
        return statement.string(column)
    }

    static func decodeOptional(_ statement: Statement, _ column: Int32) -> String? {
        statement.isNull(column) ? nil : decode(statement, column)
    }
}
