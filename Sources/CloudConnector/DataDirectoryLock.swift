import Foundation
import Synchronization

/// Exclusive ownership of a data directory by one service process: `flock(LOCK_EX|LOCK_NB)` on
/// `<data>/service.lock`, which holds the owner's pid for the error a second owner gets.
///
/// flock locks belong to an open file description, so the kernel frees the lock when the owner
/// exits or crashes (no stale lock to clean up), and a second open of the file conflicts even
/// within one process. The file is never deleted: unlinking a lock file lets a third process lock
/// a fresh inode while the second still waits on the old one. CLI commands do not take this lock;
/// they work beside the service through SQLite's own locking.
public final class DataDirectoryLock: Sendable {
    public static let fileName = "service.lock"

    public let path: String
    /// The descriptor while held, nil once released.
    private let descriptor: Mutex<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// Takes the lock or fails at once, naming the process that holds it.
    public static func acquire(_ directory: DataDirectory) throws(ConfigurationError) -> DataDirectoryLock {
        let path = directory.file(fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError(.cannotCreate, "cannot open the lock file \(path): \(errnoText()). Check that the data directory is writable.")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = readPID(fd)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw ConfigurationError(.io, "cannot lock \(path): \(String(cString: strerror(code))).")
            }
            let who = holder.map { "process \($0)" } ?? "another process (its pid is not recorded yet)"
            throw ConfigurationError(
                .locked,
                "the data directory \(directory.path) is already owned by \(who) (lock file \(path)). Only one cloud-connector service may run per data directory: stop that one first, or use another --data-dir.")
        }
        // The lock is what matters; a pid that cannot be written only makes a second owner's
        // message vaguer.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return DataDirectoryLock(path: path, descriptor: fd)
    }

    /// The pid recorded by whoever holds (or last held) the lock.
    public static func holder(of directory: DataDirectory) -> Int32? {
        let fd = open(directory.file(fileName), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPID(fd)
    }

    /// Whether a service owns the directory right now (a shared lock attempt conflicts with its
    /// exclusive one). Takes nothing: the probe's lock, if it got one, ends with the close.
    public static func isOwned(_ directory: DataDirectory) -> Bool {
        let fd = open(directory.file(fileName), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            return errno == EWOULDBLOCK
        }
        return false
    }

    public var isHeld: Bool { descriptor.withLock { $0 != nil } }

    /// Lets the next owner in. Idempotent; also done on deinit and, by the kernel, on exit.
    public func release() {
        descriptor.withLock { fd in
            guard let held = fd else { return }
            flock(held, LOCK_UN)
            close(held)
            fd = nil
        }
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingSpaces())
    }
}
