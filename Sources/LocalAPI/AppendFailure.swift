import ConnectorCore
import OutboxStore
import WebSocketTransport

/// How a refused append is answered. The message is the store's own description: it names the field
/// or limit and what to do, and never carries payload secrets (OutboxError's contract).
enum AppendFailure {
    static func response(_ error: OutboxError, retryAfterFull: Int) -> HTTPServerResponse {
        let message = error.description
        switch error {
        case .invalidPayload(_, let payloadError):
            return .apiError(400, "invalid_payload", message, details: [("field", .string(payloadError.path))])
        case .tenantMismatch:
            return .apiError(400, "tenant_mismatch", message, details: [("field", "payload.tenant_id")])
        case .messageTooLarge(_, let bytes, let limit):
            return .apiError(
                413, "message_too_large", message,
                details: [("bytes", .int(Int64(bytes))), ("limit", .int(Int64(limit)))])
        case .duplicateConflict(_, let key, let seq):
            return .apiError(409, "duplicate_conflict", message, details: [("key", .string(key)), ("existing_seq", .int(seq))])
        case .outboxFull:
            return .apiError(503, "outbox_full", message, headers: ["Retry-After": String(retryAfterFull)])
        case .storeBusy:
            return .apiError(503, "store_busy", message, headers: ["Retry-After": "1"])
        case .closed:
            return .apiError(503, "shutting_down", message, headers: ["Retry-After": "1"])
        case .storage(_, let sqlite) where sqlite.isDiskFull:
            return .apiError(507, "disk_full", message)
        case .storage, .corrupt, .unitRejected, .schemaTooNew, .migrationEdited, .notAnOutbox, .identityMismatch,
            .archiveFailed:
            return .apiError(500, "store_error", message)
        }
    }

    /// Whether the failure is the caller's (logged quietly) or the device's (logged as an error).
    static func isClientError(_ error: OutboxError) -> Bool {
        switch error {
        case .invalidPayload, .tenantMismatch, .messageTooLarge, .duplicateConflict: true
        default: false
        }
    }
}
