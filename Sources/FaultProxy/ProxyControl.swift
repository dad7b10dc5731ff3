import Dispatch
import Glibc
import Synchronization

/// A change the loop thread applies between two polls.
enum Command: Sendable {
    case cut(reset: Bool, refuseFor: Duration)
    case refuse(Duration)
    case stall(Direction)
    case resume(Direction)
    case bandwidth(Int?, Direction)
    case latency(Duration, Direction)
    case blackhole(Bool)
    case halfOpen(VanishedPeer)
    case cutSchedule(ClosedRange<Duration>, seed: UInt64, reset: Bool)
    case stallSchedule(stall: Duration, every: Duration, Direction)
    case stopSchedules
}

/// What the API threads and the loop thread share: the command queue, the stop flag, the stats,
/// and a self-pipe that wakes the loop out of poll(2).
final class ProxyControl: Sendable {
    struct Request: Sendable {
        let command: Command
        let done: DispatchSemaphore
    }

    private struct Queue {
        var requests: [Request] = []
        var stopping = false
    }

    private let queue = Mutex(Queue())
    let stats = Mutex(Stats())
    /// The pipe's read end, polled by the loop; both ends are non-blocking.
    let wakeReader: Int32
    private let wakeWriter: Int32

    init() throws(FaultProxyError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw FaultProxyError(operation: "pipe", code: errno) }
        // pipe2 is a GNU extension Swift's Glibc module does not export, so flags come after.
        for fd in ends { Socket.makeNonBlockingAndCloseOnExec(fd) }
        wakeReader = ends[0]
        wakeWriter = ends[1]
    }

    /// Queues `command` and waits until the loop has applied it; does nothing once stopping.
    func submit(_ command: Command) {
        let done = DispatchSemaphore(value: 0)
        // The wake is written under the lock so it can never hit the pipe after stop() closed it.
        let queued = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.requests.append(Request(command: command, done: done))
            wake()
            return true
        }
        if queued { done.wait() }
    }

    /// Tells the loop to finish; no command is accepted after this.
    func requestStop() {
        queue.withLock { queue in
            queue.stopping = true
            wake()
        }
    }

    /// The requests queued so far, and whether the loop must finish after them.
    func take() -> (requests: [Request], stopping: Bool) {
        queue.withLock { queue in
            defer { queue.requests.removeAll() }
            return (queue.requests, queue.stopping)
        }
    }

    /// Empties the wake pipe after poll reported it readable.
    func drainWakes() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeReader, &sink, sink.count) > 0 {}
    }

    /// After the loop thread is joined (or never started).
    func closeWakePipe() {
        close(wakeReader)
        close(wakeWriter)
    }

    private func wake() {
        // A full pipe already holds a wake, so EAGAIN is as good as success.
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }
}
