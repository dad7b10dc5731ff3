import Foundation

/// What the security of a data-directory entry requires, and the sentence that says what is wrong
/// with one that breaks it. Pure: it judges a `stat` result, so tests need no special files.
struct FileRule {
    enum Access {
        /// Nobody but the owner may read, write or enter it: 0600 for files, 0700 for folders.
        case ownerOnly
        /// Others may read it but never change it.
        case notWritableByOthers
    }

    let access: Access
    /// What the entry holds, to say why it matters ("the outbox: reply tokens and usage for billing").
    let holds: String

    /// Why `path` (with `mode` and `owner`) breaks this rule for a service running as `serviceUID`;
    /// nil when it does not.
    func problem(path: String, mode: mode_t, owner: uid_t, serviceUID: uid_t, isDirectory: Bool) -> String? {
        if owner != serviceUID {
            return "\(path) belongs to \(Self.user(owner)), not to \(Self.user(serviceUID)) who owns the data directory and runs the service: the service may be unable to \(isDirectory ? "write into" : "write") it (typically a file left by a command run as another user, such as root). Fix: chown \(serviceUID) \(path)"
        }
        let permissions = mode & 0o777
        let octal = "0" + String(permissions, radix: 8)
        switch access {
        case .ownerOnly where permissions & 0o077 != 0:
            let who = permissions & 0o007 != 0 ? "every user on this machine" : "its group"
            let others = permissions & 0o077
            let verb =
                if isDirectory { others & 0o011 != 0 ? "enter it" : "list it" }
                else if others & 0o044 != 0 { "read it" }
                else if others & 0o022 != 0 { "change it" }
                else { "run it" }
            return "\(path) is mode \(octal): \(who) can \(verb), and it holds \(holds). Fix: chmod \(isDirectory ? "700" : "600") \(path)"
        case .notWritableByOthers where permissions & 0o022 != 0:
            let who = permissions & 0o002 != 0 ? "every user on this machine" : "its group"
            return "\(path) is mode \(octal): \(who) can change it, and it decides \(holds). Fix: chmod go-w \(path)"
        default:
            return nil
        }
    }

    /// "uid 1000 (alice)".
    static func user(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return "uid \(uid) (\(String(cString: name)))"
    }
}
