import CloudConnector
import Foundation
import Testing

@Suite("Data directory lock")
struct DataDirectoryLockTests {
    @Test("one owner at a time: a second open of the lock file is refused, naming the owner's pid")
    func exclusive() throws {
        let root = TemporaryDirectory()
        let directory = try DataDirectory.prepare(root.file("data"), logger: LogRecords().logger())
        let lock = try DataDirectoryLock.acquire(directory)
        #expect(lock.isHeld)
        #expect(DataDirectoryLock.holder(of: directory) == getpid())
        do {
            _ = try DataDirectoryLock.acquire(directory)
            Issue.record("a second owner got the lock")
        } catch {
            #expect(error.kind == .locked)
            #expect(error.message.contains("process \(getpid())"))
            #expect(error.message.contains(directory.path))
        }
        lock.release()
        #expect(!lock.isHeld)
        let next = try DataDirectoryLock.acquire(directory)
        #expect(next.isHeld)
        next.release()
        lock.release()  // idempotent
    }

    @Test("a lock dropped without release (the owner's descriptor closed) frees the directory")
    func releasedOnDeinit() throws {
        let root = TemporaryDirectory()
        let directory = try DataDirectory.prepare(root.file("data"), logger: LogRecords().logger())
        do {
            _ = try DataDirectoryLock.acquire(directory)
        }
        let again = try DataDirectoryLock.acquire(directory)
        #expect(again.isHeld)
    }

    @Test("another process holding the lock file blocks us until it exits", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func otherProcess() async throws {
        let root = TemporaryDirectory()
        let directory = try DataDirectory.prepare(root.file("data"), logger: LogRecords().logger())
        let lockPath = directory.file(DataDirectoryLock.fileName)
        _ = FileManager.default.createFile(atPath: lockPath, contents: nil)
        // flock(1) holds an exclusive flock on the file while its command runs: cat, which ends when
        // we close its stdin.
        let holder = Process()
        let stdin = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", lockPath, "/bin/cat"]
        holder.standardInput = stdin
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        // Probe with a plain descriptor (not DataDirectoryLock, which would write our pid) until the
        // other process holds the lock.
        var held = false
        for _ in 0..<1_000 where !held {
            let fd = open(lockPath, O_RDWR)
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                held = true
            } else {
                flock(fd, LOCK_UN)
                try await Task.sleep(for: .milliseconds(10))
            }
            close(fd)
        }
        if !held { try stdin.fileHandleForWriting.close() }
        try #require(held)
        // As the service would have: its pid in the file
        // (in place: a new file under the name would be another inode, with no lock on it).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: lockPath))
        try handle.write(contentsOf: Data("\(holder.processIdentifier)\n".utf8))
        try handle.close()
        let error = try #require(configurationError { _ = try DataDirectoryLock.acquire(directory) })
        #expect(error.kind == .locked)
        #expect(error.message.contains("process \(holder.processIdentifier)"))
        try stdin.fileHandleForWriting.close()
        holder.waitUntilExit()
        let lock = try DataDirectoryLock.acquire(directory)
        #expect(lock.isHeld)
    }
}
