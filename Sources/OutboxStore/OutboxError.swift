public import ConnectorCore
public import SQLiteDB

/// Everything the outbox can refuse or fail with. Each description says what failed, why, and what
/// to do about it; none ever contains a payload's secret values.
public enum OutboxError: Error, Sendable, CustomStringConvertible {
    case schemaTooNew(storeVersion: Int, supportedVersion: Int, path: String)
    case migrationEdited(version: Int, name: String)
    case notAnOutbox(path: String)
    case identityMismatch(path: String, storeDevice: String, storeTenant: String, device: String, tenant: String)
    case invalidPayload(type: OutboxMessageType, PayloadError)
    case messageTooLarge(type: OutboxMessageType, bytes: Int, limit: Int)
    case tenantMismatch(payloadTenant: String, storeTenant: String)
    case duplicateConflict(type: OutboxMessageType, naturalKey: String, existingSeq: Int64)
    case outboxFull(heldBytes: Int64, limitBytes: Int64, unackedMessages: Int64)
    case storeBusy(path: String, detail: String)
    case storage(operation: String, SQLiteError)
    case corrupt(path: String, detail: String)
    case unitRejected(reason: String)
    case archiveFailed(path: String, reason: String)
    case closed

    public var description: String {
        switch self {
        case .schemaTooNew(let storeVersion, let supportedVersion, let path):
            return "the store at \(path) was written by a newer cloud-connector (schema \(storeVersion); this "
                + "binary knows up to \(supportedVersion)). Upgrade cloud-connector, or use another --data-dir."
        case .migrationEdited(let version, let name):
            return "schema migration \(version) (\(name)) differs from the one this store applied: a shipped "
                + "migration was edited. Restore the original file and add a new migration instead."
        case .notAnOutbox(let path):
            return "\(path) is an SQLite file, but not a cloud-connector outbox. Point --data-dir at the "
                + "connector's data directory, or move that file away."
        case .identityMismatch(let path, let storeDevice, let storeTenant, let device, let tenant):
            return "the store at \(path) belongs to device \(storeDevice) in tenant \(storeTenant), but this "
                + "process runs as device \(device) in tenant \(tenant) (R12: a store is never opened as "
                + "another device). Set DEVICE_ID/TENANT_ID to the store's values, or use another --data-dir."
        case .invalidPayload(let type, let error):
            return "invalid \(type.rawValue): \(error). Nothing was written; fix the payload (PROTOCOL.md §4)."
        case .messageTooLarge(let type, let bytes, let limit):
            return "\(type.rawValue) is \(bytes) bytes encoded, over the \(limit)-byte limit (R3). Nothing was "
                + "written; send a smaller result (handlers report failed with code result_too_large)."
        case .tenantMismatch(let payloadTenant, let storeTenant):
            return "payload.tenant_id \"\(payloadTenant)\" is not this device's tenant \"\(storeTenant)\" (R12). "
                + "Nothing was written."
        case .duplicateConflict(let type, let naturalKey, let existingSeq):
            return "a \(type.rawValue) with key \"\(naturalKey)\" is already stored as seq \(existingSeq) with "
                + "different content. Ids are idempotency keys: use a new id for a new message."
        case .outboxFull(let held, let limit, let unacked):
            return "the outbox is full: \(held) of \(limit) bytes held, \(unacked) messages not yet acked by the "
                + "cloud, and none of them may be dropped (only progress events may). Nothing was written. "
                + "Restore the cloud link so acks free space, or raise the size bound (--max-outbox-bytes)."
        case .storeBusy(let path, let detail):
            return "the store at \(path) stayed locked by another process (\(detail)). Retry; if it persists, "
                + "look for a stuck process holding \(path)."
        case .storage(let operation, let error):
            if error.isDiskFull {
                return "\(operation) failed: the disk is full (\(error.message)). Nothing was lost; free disk "
                    + "space and retry."
            }
            return "\(operation) failed: \(error)"
        case .corrupt(let path, let detail):
            return "the store at \(path) is damaged: \(detail). Run `cloud-connector outbox verify` for details."
        case .archiveFailed(let path, let reason):
            return "cannot write the prune archive \(path): \(reason). Nothing was pruned; choose a writable "
                + "--archive directory with free space."
        case .unitRejected(let reason):
            return "the append was rolled back: \(reason)"
        case .closed:
            return "the outbox is shutting down and takes no more appends."
        }
    }
}
