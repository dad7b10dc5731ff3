import Dispatch
import Foundation
import Logging
import Synchronization

/// Tells the link when the outbox may have changed, whoever wrote it: this process, a CLI
/// `outbox append`, another producer. It watches the data directory with inotify: every commit
/// writes the WAL file, so a change arrives within microseconds instead of at the next poll, and an
/// idle store costs nothing. A slow safety poll (`fallbackInterval`) covers a missed or unavailable
/// watch; the caller only ever reads `last_seq`, so a spurious wake-up is harmless.
final class StoreWatcher: Sendable {
    private let directory: String
    private let fileName: String
    private let fallbackInterval: Duration
    private let logger: Logger
    /// [read end, write end]: a byte on it ends the watch thread.
    private let stopPipe: (Int32, Int32)
    private let stopped = DispatchSemaphore(value: 0)
    private let started = Mutex(false)

    init(directory: String, fileName: String, fallbackInterval: Duration = .seconds(2), logger: Logger) throws {
        self.directory = directory
        self.fileName = fileName
        self.fallbackInterval = fallbackInterval
        self.logger = logger
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ConfigurationError(.io, "cannot create a pipe for the outbox watcher: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        stopPipe = (fds[0], fds[1])
    }

    deinit {
        close(stopPipe.0)
        close(stopPipe.1)
    }

    /// Starts the watch thread; `onChange` runs on it, so it must be quick (post and return).
    func start(onChange: @escaping @Sendable () -> Void) {
        started.withLock { $0 = true }
        let thread = Thread { [self] in
            watch(onChange: onChange)
            stopped.signal()
        }
        thread.name = "outbox-watch"
        thread.start()
    }

    /// Ends the watch thread and waits for it.
    func stop() {
        guard started.withLock({ $0 }) else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe.1, &byte, 1)
        stopped.wait()
        started.withLock { $0 = false }
    }

    private func watch(onChange: @Sendable () -> Void) {
        let inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        var watching = false
        if inotify >= 0 {
            let mask = UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE)
            watching = inotify_add_watch(inotify, directory, mask) >= 0
        }
        if !watching {
            logger.warning(
                "cannot watch the data directory for outbox changes; polling instead",
                metadata: ["path": "\(directory)", "error": "\(String(cString: strerror(errno)))"])
        }
        defer { if inotify >= 0 { close(inotify) } }
        // Without a watch, poll often enough that "promptly" still holds.
        let interval = watching ? fallbackInterval : .milliseconds(100)
        let timeoutMS = Int32(clamping: interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        // SQLite writes the WAL (the event) before its fsync, and the commit becomes visible only
        // after it, through the mmapped wal-index, which raises no event. A read right at the event
        // can miss the commit, so look again a few times while it lands (fsync takes 0.1–5 ms).
        let followUpsMS: [Int32] = [1, 3, 10, 30, 100]
        var followUp = followUpsMS.count
        while true {
            var fds = [pollfd(fd: stopPipe.0, events: Int16(POLLIN), revents: 0)]
            if watching { fds.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
            let wait = followUp < followUpsMS.count ? followUpsMS[followUp] : timeoutMS
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 && errno == EINTR { continue }
            if fds[0].revents != 0 { return }
            if ready > 0, watching, fds[1].revents != 0 {
                guard drainEvents(inotify, &buffer) else { continue }
                followUp = 0
            } else if followUp < followUpsMS.count {
                followUp += 1
            }
            onChange()
        }
    }

    /// Reads every queued event; true when one of them concerns the outbox files.
    private func drainEvents(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var relevant = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return relevant }
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= count {
                    let length = Int(bytes.load(fromByteOffset: offset + header - 4, as: UInt32.self))
                    let nameStart = offset + header
                    let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[nameStart..<min(nameStart + length, count)])
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    if name.hasPrefix(fileName) { relevant = true }
                    offset = nameStart + length
                }
            }
        }
    }
}
