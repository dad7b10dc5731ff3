import Foundation

/// The file operations behind `LocalToken`: a checked read, and a create that never overwrites.
enum TokenFile {
    /// The token in `path`, nil when the file does not exist. Refuses a file that is not a regular
    /// file, not owned by this user, or open to group/others: such a token is no longer a secret.
    static func secret(at path: String) throws(LocalTokenError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, reason: errnoText(code))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(path: path, reason: errnoText(errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        guard status.st_uid == geteuid() else {
            throw .notOwned(path: path, owner: UInt32(status.st_uid), user: UInt32(geteuid()))
        }
        guard status.st_mode & 0o077 == 0 else { throw .readableByOthers(path: path, mode: UInt32(status.st_mode)) }
        let bytes = try readAll(fd, path: path)
        let secret = trimmed(bytes)
        if secret.isEmpty { throw .empty(path: path) }
        guard bytes.count <= LocalToken.maxFileBytes, LocalToken.isWellFormed(secret) else { throw .garbled(path: path) }
        return secret
    }

    /// Creates `path` holding `secret` unless it exists; returns what the file holds then, and whether
    /// this call created it.
    ///
    /// The token goes to a temporary file first (O_EXCL, 0600, fsynced) and is published with
    /// link(2), which fails when the name exists: the file appears complete or not at all (a crash
    /// never leaves an empty token), and of two processes racing, one token wins and both use it.
    static func create(_ path: String, secret: [UInt8]) throws(LocalTokenError) -> (secret: [UInt8], created: Bool) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory)/.\(LocalToken.fileName).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try writeDurably(temporary, contents: secret + [0x0A], reportAs: path)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST {
                guard let existing = try Self.secret(at: path) else {
                    throw .cannotCreate(path: path, reason: "it vanished while it was being created; retry")
                }
                return (existing, false)
            }
            // File systems without hard links (FAT, some FUSE mounts): create the final name
            // exclusively instead. Still never overwrites an existing file.
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS else {
                throw .cannotCreate(path: path, reason: errnoText(code))
            }
            if let existing = try Self.secret(at: path) { return (existing, false) }
            try writeDurably(path, contents: secret + [0x0A], reportAs: path)
        }
        syncDirectory(directory)
        return (secret, true)
    }

    private static func writeDurably(_ path: String, contents: [UInt8], reportAs reported: String) throws(LocalTokenError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotCreate(path: reported, reason: errnoText(errno)) }
        defer { close(fd) }
        // The umask can only take bits away from 0600, but say it explicitly.
        fchmod(fd, 0o600)
        var written = 0
        while written < contents.count {
            let n = contents.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = errnoText(errno)
                unlink(path)
                throw .cannotCreate(path: reported, reason: reason)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let reason = errnoText(errno)
            unlink(path)
            throw .cannotCreate(path: reported, reason: reason)
        }
    }

    private static func readAll(_ fd: Int32, path: String) throws(LocalTokenError) -> [UInt8] {
        // One byte over the limit tells an oversized file from a full one.
        var buffer = [UInt8](repeating: 0, count: LocalToken.maxFileBytes + 1)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable(path: path, reason: errnoText(errno)) }
            if n == 0 { break }
            count += n
        }
        return Array(buffer[..<count])
    }

    /// Without surrounding spaces, tabs and line ends, so an editor's final newline does not count.
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return Array(bytes[first...last])
    }

    /// Makes the new directory entry durable (best effort: some file systems refuse fsync on a directory).
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// errno as the sentence strerror(3) gives, for error messages.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
