import SQLiteDB

/// Turns whatever a write path threw into the OutboxError a caller can act on.
enum OutboxErrorMapping {
    static func map(_ error: any Error, operation: String, path: String) -> OutboxError {
        switch error {
        case let error as OutboxError:
            return error
        case let error as SQLiteError where error.isBusy:
            return .storeBusy(path: path, detail: error.message)
        case let error as SQLiteError where error.isCorrupt:
            return .corrupt(path: path, detail: error.message)
        case let error as SQLiteError:
            return .storage(operation: operation, error)
        default:
            return .unitRejected(reason: "\(error)")
        }
    }
}
