/// Why `<data>/local_token` cannot be used. No case carries the file's contents: a garbled file may
/// still hold most of a real token, and these texts end up in logs and on consoles.
public enum LocalTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notARegularFile(path: String)
    case empty(path: String)
    case garbled(path: String)
    case readableByOthers(path: String, mode: UInt32)
    case notOwned(path: String, owner: UInt32, user: UInt32)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the local API token file \(path): \(reason). Fix its permissions (owner-only, "
                + "`chmod 600 \(path)`), or delete it to have a new token created."
        case .notARegularFile(let path):
            return "the local API token path \(path) is not a regular file. Move it away; a new token is then created."
        case .empty(let path):
            return "the local API token file \(path) is empty. It is never replaced automatically, because local "
                + "callers read their token from it: delete it to have a new token created, then restart those callers."
        case .garbled(let path):
            return "the local API token file \(path) does not hold a token (expected one line of \(LocalToken.hexLength) "
                + "hex digits). Delete it to have a new token created, then restart the local callers that use it."
        case .readableByOthers(let path, let mode):
            return "the local API token file \(path) is readable or writable by other users (mode "
                + String(mode & 0o777, radix: 8) + "), so any local user could append usage to this device's bill. "
                + "Run `chmod 600 \(path)` and start again."
        case .notOwned(let path, let owner, let user):
            return "the local API token file \(path) belongs to uid \(owner), not to this process's uid \(user). "
                + "Run the connector as the file's owner, or `chown` the file and `chmod 600` it."
        case .cannotCreate(let path, let reason):
            return "cannot create the local API token file \(path): \(reason). Check that the data directory exists "
                + "and is writable by this user."
        }
    }
}
