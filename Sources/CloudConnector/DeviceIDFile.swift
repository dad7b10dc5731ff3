import Foundation

/// `<data>/device_id`: one line holding the device id, mode 0600. Created once and then only read:
/// the id names this device to the cloud and owns the outbox (R12), so a file that cannot be read
/// is an error for a person to resolve, never something to overwrite.
enum DeviceIDFile {
    static let maxBytes = 4_096

    enum Contents: Equatable {
        case missing
        case id(String)
    }

    static func load(_ path: String) throws(ConfigurationError) -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return .missing }
            throw ConfigurationError(.io, "cannot read the device id file \(path): \(errnoText()). Fix its permissions, or set DEVICE_ID.")
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: maxBytes + 1)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw ConfigurationError(.io, "cannot read the device id file \(path): \(errnoText()).")
            }
            if n == 0 { break }
            count += n
        }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingSpaces()
        if count > maxBytes || text.isEmpty || IdentifierRules.problem(with: text) != nil {
            let what = text.isEmpty ? "is empty" : "does not hold a valid device id (\(IdentifierRules.problem(with: text) ?? "too long"))"
            throw ConfigurationError(
                .identity,
                "the device id file \(path) \(what). It is never replaced automatically, because the id names this device to the cloud and owns its outbox. Restore it from a backup or write the device's id into it (one line), or set DEVICE_ID; delete it only if this device was never registered and has no outbox, and a new id will be created.")
        }
        return .id(text)
    }

    /// Creates the file holding `id`, unless it already exists; returns what the file holds then.
    ///
    /// The contents are written to a temporary file created with O_CREAT|O_EXCL and fsynced first,
    /// then published with link(2), which fails if the name exists. So the file appears complete or
    /// not at all (a crash never leaves an empty device_id), and of two processes racing, exactly
    /// one id wins and both use it.
    static func create(_ path: String, id: String) throws(ConfigurationError) -> (id: String, created: Bool) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory)/.device_id.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try writeDurably(temporary, contents: id + "\n")
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST {
                guard case .id(let existing) = try load(path) else {
                    throw ConfigurationError(.io, "the device id file \(path) vanished while it was being created; retry.")
                }
                return (existing, false)
            }
            // Some file systems (FAT, some FUSE mounts) have no hard links: fall back to creating the
            // final name exclusively. Still never overwrites an existing file.
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS else {
                throw ConfigurationError(.cannotCreate, "cannot create the device id file \(path): \(String(cString: strerror(code))).")
            }
            if case .id(let existing) = try load(path) { return (existing, false) }
            try writeDurably(path, contents: id + "\n")
        }
        syncDirectory(directory)
        return (id, true)
    }

    private static func writeDurably(_ path: String, contents: String) throws(ConfigurationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError(.cannotCreate, "cannot create \(path): \(errnoText()). Check that the data directory is writable.")
        }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = errnoText()
            unlink(path)
            throw ConfigurationError(.io, "cannot write \(path): \(reason).")
        }
    }

    /// Makes the new directory entry itself durable.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
