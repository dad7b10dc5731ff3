import Foundation

/// Where export bytes go: stdout, or a file that appears only when complete.
///
/// A file is written under a temporary name in the target folder, fsynced, then published: with
/// link(2) by default, which fails if the name exists (so an existing export is never clobbered,
/// even by a concurrent run), or with rename(2) under --force. A failed or interrupted export
/// leaves no partial file behind under the real name.
final class ExportDestination {
    let path: String?
    private let fd: Int32
    private let temporaryPath: String?
    private let force: Bool
    /// Closed once only: a second close could hit a descriptor number reused by another open.
    private var isOpen = true
    private(set) var bytesWritten: Int64 = 0

    static func standardOutput() -> ExportDestination {
        ExportDestination(path: nil, fd: STDOUT_FILENO, temporaryPath: nil, force: false)
    }

    static func file(_ requested: String, force: Bool) throws -> ExportDestination {
        let path = requested.hasPrefix("/") ? requested : FileManager.default.currentDirectoryPath + "/" + requested
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw CLIFailure(.cannotCreate, "--output \(path) is a folder; give a file name.")
            }
            if !force {
                throw CLIFailure(.cannotCreate, "--output \(path) already exists; pass --force to replace it, or choose another name.")
            }
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CLIFailure(.cannotCreate, "cannot create the export file in \(folder): \(String(cString: strerror(errno))).")
        }
        return ExportDestination(path: path, fd: fd, temporaryPath: temporary, force: force)
    }

    private init(path: String?, fd: Int32, temporaryPath: String?, force: Bool) {
        self.path = path
        self.fd = fd
        self.temporaryPath = temporaryPath
        self.force = force
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Foundation.write(fd, next, remaining)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                if written == 0 { errno = EIO }
                throw failure("cannot write the export")
            }
            next += written
            remaining -= written
            bytesWritten += Int64(written)
        }
    }

    /// Makes the file durable and gives it its real name.
    func commit() throws {
        guard let temporaryPath, let path else { return }
        guard fsync(fd) == 0 else { throw failure("cannot flush the export to disk") }
        closeOnce()
        if force {
            guard rename(temporaryPath, path) == 0 else { throw failure("cannot move the export to \(path)") }
        } else if link(temporaryPath, path) == 0 {
            unlink(temporaryPath)
        } else {
            let code = errno
            unlink(temporaryPath)
            if code == EEXIST {
                throw CLIFailure(.cannotCreate, "--output \(path) appeared while exporting; pass --force to replace it, or choose another name.")
            }
            throw CLIFailure(.cannotCreate, "cannot create \(path): \(String(cString: strerror(code))).")
        }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Removes the unfinished temporary file after a failure.
    func discard() {
        guard let temporaryPath else { return }
        closeOnce()
        unlink(temporaryPath)
    }

    private func closeOnce() {
        if isOpen {
            close(fd)
            isOpen = false
        }
    }

    private func failure(_ what: String) -> CLIFailure {
        let code = errno
        let reason = code == ENOSPC ? "the disk is full" : String(cString: strerror(code))
        let cleanup = temporaryPath == nil ? "" : " No file was created."
        return CLIFailure(.ioError, "\(what): \(reason).\(cleanup)")
    }
}
