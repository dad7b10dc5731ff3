/// Why `outbox salvage` refused a file, before it appended anything. Each description says what
/// failed, why, and what to do.
public enum SalvageError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    /// SQLite cannot read the file at all (its header or schema page is gone).
    case unreadable(path: String, detail: String)
    case notAnOutbox(path: String)
    /// The store_identity row is unreadable: without its id salt the messages' ids cannot be rebuilt.
    case identityUnreadable(path: String, detail: String)
    case otherTenant(path: String, source: StoreIdentity, live: StoreIdentity)
    case otherDevice(path: String, source: StoreIdentity, live: StoreIdentity)
    /// The file is the live store, or a copy of it (the same id salt).
    case sameStore(path: String)
    case ackCursorUnreadable(path: String)
    /// The working copy of a file with a WAL could not be made.
    case workingCopy(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no file at \(path). Give the path of the outbox file to salvage, such as "
                + "<data>/outbox.sqlite.corrupt-<time> that `run` moved aside."
        case .unreadable(let path, let detail):
            return "SQLite cannot read \(path) at all (\(detail)): its header or schema is gone, so nothing can be "
                + "salvaged from it with SQLite. Nothing was appended; keep the file for a forensic look."
        case .notAnOutbox(let path):
            return "\(path) is an SQLite file, but not a cloud-connector outbox. Nothing was appended."
        case .identityUnreadable(let path, let detail):
            return "the store identity in \(path) is unreadable (\(detail)). Without its id salt the messages' ids "
                + "cannot be rebuilt, and resending them under new ids would make the cloud count them twice "
                + "(R6). Nothing was appended."
        case .otherTenant(let path, let source, let live):
            return "\(path) belongs to device \(source.deviceID) in tenant \(source.tenantID), but this data "
                + "directory is device \(live.deviceID) in tenant \(live.tenantID): a store's messages never cross "
                + "tenants (R12). Salvage it into a data directory of that tenant (set DEVICE_ID and TENANT_ID "
                + "to the file's values and pick another --data-dir). Nothing was appended."
        case .otherDevice(let path, let source, let live):
            return "\(path) belongs to device \(source.deviceID), but this data directory is device "
                + "\(live.deviceID) (R12: a store belongs to one device). Salvage it as that device (set "
                + "DEVICE_ID=\(source.deviceID) and use that device's --data-dir), or, if this device replaces it "
                + "and should send its messages, add --from-other-device. Nothing was appended."
        case .sameStore(let path):
            return "\(path) is this data directory's own outbox or a copy of it (the same id salt): its messages "
                + "are this store's already. Nothing was appended; to check the store, run `cloud-connector outbox verify`."
        case .ackCursorUnreadable(let path):
            return "the ack cursor of \(path) is unreadable, so --unacked-only cannot tell acked messages from "
                + "the others. Run salvage without --unacked-only (the cloud recognises what it already holds "
                + "by id, R6). Nothing was appended."
        case .workingCopy(let path, let reason):
            return "cannot copy \(path) and its WAL to read them without touching the original (\(reason)). "
                + "Free disk space in the data directory and retry. Nothing was appended."
        }
    }
}
