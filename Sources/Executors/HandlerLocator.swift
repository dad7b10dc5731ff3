import Glibc

/// Finds the handler for a job under the handlers directory and refuses one that another local user
/// could have planted or changed.
///
/// The checks run on the resolved path: the file and every directory from it up to the handlers
/// directory must be owned by this user or root and not writable by group or others. Since nobody
/// else can write anywhere along that path, nobody else can swap the file between this check and the
/// spawn either. (The handlers directory's own parents are the data directory's business.)
struct HandlerLocator {
    let handlersDirectory: String
    /// Whose handlers may run: this process's user (an audit run as root judges for the service's user).
    var user: uid_t = geteuid()

    func locate(_ job: ExecutionJob) throws(ExecutorFailure) -> String {
        let noun = job.kind == .tool ? "tool name" : "playbook code"
        if let problem = HandlerName.problem(with: job.name) {
            throw ExecutorFailure(
                code: ExecutorErrorCode.invalidRequest, message: "\(noun) \(DisplayText.quoted(job.name)) \(problem)")
        }
        let folder = job.kind == .tool ? "tools" : "playbooks"
        let path = handlersDirectory + "/" + folder + "/" + job.name
        let unknown = ExecutorFailure(
            code: job.kind == .tool ? ExecutorErrorCode.unknownTool : ExecutorErrorCode.unknownPlaybook,
            message: "no handler \(folder)/\(job.name) in \(handlersDirectory)")

        guard let root = Self.realPath(handlersDirectory) else { throw unknown }
        guard let file = Self.realPath(path) else {
            // ENOENT/ENOTDIR (including a dangling symlink) is an unknown handler; anything else is
            // a handler that exists but cannot be inspected.
            if errno == ENOENT || errno == ENOTDIR { throw unknown }
            throw unsafe(path, "cannot be inspected: \(Self.describe(errno))")
        }
        guard file.hasPrefix(root + "/") else {
            throw unsafe(path, "resolves to \(file), outside the handlers directory \(root); copy the handler in instead of linking to it")
        }

        var info = stat()
        guard stat(file, &info) == 0 else { throw unsafe(path, "cannot be inspected: \(Self.describe(errno))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw unsafe(path, "is not a regular file") }
        try check(file, info, isDirectory: false)

        var directory = Self.parent(of: file)
        while true {
            var directoryInfo = stat()
            guard stat(directory, &directoryInfo) == 0 else {
                throw unsafe(directory, "cannot be inspected: \(Self.describe(errno))")
            }
            try check(directory, directoryInfo, isDirectory: true)
            if directory == root || directory.count <= root.count { break }
            directory = Self.parent(of: directory)
        }

        guard access(file, X_OK) == 0 else {
            throw unsafe(path, "is not executable; make it so with: chmod u+x '\(file)'")
        }
        return file
    }

    private func check(_ path: String, _ info: stat, isDirectory: Bool) throws(ExecutorFailure) {
        let me = user
        guard info.st_uid == me || info.st_uid == 0 else {
            throw unsafe(path, "is owned by uid \(info.st_uid), not by this user (uid \(me)) or root; fix with: chown \(me) '\(path)'")
        }
        let permissions = info.st_mode & 0o7777
        guard permissions & (S_IWGRP | S_IWOTH) == 0 else {
            let octal = String(permissions, radix: 8)
            throw unsafe(
                path,
                "is writable by \(permissions & S_IWOTH != 0 ? "others" : "its group") (mode \(octal)), so another user could change "
                    + (isDirectory ? "what runs" : "it") + "; fix with: chmod go-w '\(path)'")
        }
    }

    private func unsafe(_ path: String, _ problem: String) -> ExecutorFailure {
        ExecutorFailure(code: ExecutorErrorCode.unsafeHandler, message: "refusing handler: \(path) \(problem)")
    }

    /// The canonical absolute path, or nil with errno set.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
