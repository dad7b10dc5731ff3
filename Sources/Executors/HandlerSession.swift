import ConnectorCore
import Glibc

/// One run of a command handler, from the first byte of stdin to the last signal, on the
/// execution's own thread: feeds the job to stdin, reads stdout and stderr as they come, watches
/// for the leader's exit and for cancellation, and decides when to signal the process group.
///
/// Termination rules (the group is always SIGKILLed before the leader is reaped, so no process of
/// the run survives it and the group id cannot have been reused):
/// - the leader exits on its own → SIGKILL what is left of the group at once (a handler's
///   background processes do not outlive the execution), then read what the pipes still hold;
/// - a violation (bad line, too much output) → SIGKILL at once: nothing it says now can count;
/// - cancellation → SIGTERM the group, SIGKILL it once the leader has exited and the pipes are
///   closed, or when the grace period ends, whichever is first.
struct HandlerSession {
    /// "tools/NAME", for messages.
    let label: String
    private var child: ChildProcess
    private let cancel: CancellationSignal
    private let grace: Duration
    private var collector: HandlerOutputCollector
    private var stderrTail = StderrTail()
    private let input: [UInt8]
    private var inputOffset = 0

    private(set) var termination: Termination?
    private var cancelled = false
    private var killAt: ContinuousClock.Instant?
    private var killedAt: ContinuousClock.Instant?
    private var pipesClosedAt: ContinuousClock.Instant?

    /// After the SIGKILL, how long to keep reading pipes that something outside the group (a
    /// process that called setsid) may still hold open.
    private static let drainLimit: Duration = .milliseconds(500)
    /// After the SIGKILL, how long to wait for a leader that does not die (stuck in the kernel)
    /// before returning anyway; it is reaped later.
    private static let unkillableLimit: Duration = .seconds(5)
    private static let chunkSize = 64 * 1024

    init(
        label: String, child: ChildProcess, input: [UInt8], cancel: CancellationSignal, grace: Duration,
        collector: HandlerOutputCollector
    ) {
        self.label = label
        self.child = child
        self.input = input
        self.cancel = cancel
        self.grace = grace
        self.collector = collector
    }

    /// Runs until the handler's group is gone; the caller then reaps the leader, unless it never
    /// exited (`termination` is nil), in which case reaping blocks until it does.
    mutating func run() -> ExecutorOutcome {
        let clock = ContinuousClock()
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let now = clock.now
            if !cancelled, cancel.isRequested {
                cancelled = true
                collector.isMuted = true
                if killedAt == nil {
                    child.signalGroup(SIGTERM)
                    schedule(killAt: now + grace)
                }
            }
            if collector.violation != nil { schedule(killAt: now) }
            if termination == nil, let ended = child.peekTermination() {
                termination = ended
                child.closeStdin()
                if !cancelled { schedule(killAt: now) }
            }
            if pipesClosed, pipesClosedAt == nil { pipesClosedAt = now }
            if cancelled, termination != nil, pipesClosed { schedule(killAt: now) }
            if let killAt, killedAt == nil, now >= killAt {
                child.signalGroup(SIGKILL)
                killedAt = now
            }
            if let killedAt {
                if termination != nil, pipesClosed || now >= killedAt + Self.drainLimit { break }
                if termination == nil, now >= killedAt + Self.unkillableLimit { break }
            }
            waitForActivity(until: nextDeadline(now: now), now: now, buffer: &buffer)
        }
        closePipes()
        return outcome()
    }

    private var pipesClosed: Bool { child.stdout < 0 && child.stderr < 0 }

    /// Brings the SIGKILL forward to `instant`; never pushes it back.
    private mutating func schedule(killAt instant: ContinuousClock.Instant) {
        if let current = killAt, current <= instant { return }
        killAt = instant
    }

    /// When the loop must look again even if no descriptor becomes ready.
    private func nextDeadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        // No descriptor reports the leader's exit, so it is polled for: briefly when the pipes have
        // just closed (the usual sign that it is exiting), otherwise at a slow tick.
        var deadline = now + .milliseconds(50)
        if termination == nil, let pipesClosedAt, now - pipesClosedAt < .seconds(1) { deadline = now + .milliseconds(2) }
        if killedAt == nil, let killAt, killAt < deadline { deadline = killAt }
        if let killedAt, killedAt + Self.drainLimit < deadline { deadline = killedAt + Self.drainLimit }
        return deadline
    }

    private mutating func waitForActivity(
        until deadline: ContinuousClock.Instant, now: ContinuousClock.Instant, buffer: inout [UInt8]
    ) {
        if child.stdin >= 0, inputOffset >= input.count { child.closeStdin() }
        var watched = [pollfd(fd: cancel.reader, events: Int16(POLLIN), revents: 0)]
        if child.stdin >= 0 { watched.append(pollfd(fd: child.stdin, events: Int16(POLLOUT), revents: 0)) }
        if child.stdout >= 0 { watched.append(pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0)) }
        if child.stderr >= 0 { watched.append(pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)) }
        let wait = max(.zero, deadline - now)
        let milliseconds = Int32(clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000 + 1)
        guard poll(&watched, nfds_t(watched.count), milliseconds) > 0 else { return }  // timeout or EINTR

        for entry in watched where entry.revents != 0 {
            switch entry.fd {
            case cancel.reader: cancel.drain()
            case child.stdin: writeInput()
            case child.stdout: readStdout(into: &buffer)
            case child.stderr: readStderr(into: &buffer)
            default: break
            }
        }
    }

    private mutating func writeInput() {
        let written = input.withUnsafeBytes { bytes in
            write(child.stdin, bytes.baseAddress! + inputOffset, bytes.count - inputOffset)
        }
        if written > 0 {
            inputOffset += written
            if inputOffset >= input.count { child.closeStdin() }
        } else if written < 0, errno != EAGAIN, errno != EINTR {
            // EPIPE: the handler closed stdin without reading it all; that is its choice. (SIGPIPE is
            // blocked on this thread, so the write fails instead of killing the connector.)
            child.closeStdin()
        }
    }

    private mutating func readStdout(into buffer: inout [UInt8]) {
        guard let count = readChunk(child.stdout, into: &buffer) else {
            closeDescriptor(&child.stdout)
            collector.finish()
            return
        }
        buffer.withUnsafeBytes { collector.consume(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    private mutating func readStderr(into buffer: inout [UInt8]) {
        guard let count = readChunk(child.stderr, into: &buffer) else {
            closeDescriptor(&child.stderr)
            return
        }
        buffer.withUnsafeBytes { stderrTail.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// The byte count read (0 when there is nothing yet), or nil at EOF or on an error.
    private func readChunk(_ fd: Int32, into buffer: inout [UInt8]) -> Int? {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 { return count }
        if count < 0, errno == EAGAIN || errno == EINTR { return 0 }
        return nil
    }

    private func closeDescriptor(_ fd: inout Int32) {
        if fd >= 0 { _ = close(fd) }
        fd = -1
    }

    private mutating func closePipes() {
        child.closeStdin()
        closeDescriptor(&child.stdout)
        closeDescriptor(&child.stderr)
    }

    private func outcome() -> ExecutorOutcome {
        if cancelled { return ExecutorFailure.cancelled.outcome }
        let tail = stderrTail.shown
        if var violation = collector.violation {
            if !tail.isEmpty { violation.message += " (stderr: \(tail))" }
            return violation.outcome
        }
        // A handler that reported an error failed, whatever its exit status.
        if let reported = collector.reportedError { return reported.outcome }
        guard let termination else {
            return ExecutorFailure(
                code: ExecutorErrorCode.handlerFailed, message: "\(label) did not exit even after SIGKILL").outcome
        }
        if termination == .exited(0) { return .completed(result: collector.result ?? .object(JSONObject())) }
        return ExecutorFailure(
            code: ExecutorErrorCode.handlerFailed, message: "\(label) \(termination.phrase)" + (tail.isEmpty ? "" : ": \(tail)")
        ).outcome
    }
}
