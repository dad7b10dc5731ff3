import Glibc
import Synchronization

/// Carries a task's cancellation to an execution's I/O thread: sets a flag and writes a byte to a
/// self-pipe the thread polls, so a thread sleeping in poll(2) wakes at once.
final class CancellationSignal: Sendable {
    private struct State {
        var requested = false
        var writer: Int32
    }

    private let state: Mutex<State>
    /// Polled by the I/O thread; non-blocking.
    let reader: Int32

    init() throws(ExecutorFailure) {
        guard let ends = GNUExtensions.closeOnExecPipe() else {
            throw ExecutorFailure(
                code: ExecutorErrorCode.handlerFailed,
                message: "cannot create a pipe: \(HandlerLocator.describe(errno))", retryable: true)
        }
        for fd in [ends.read, ends.write] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        reader = ends.read
        state = Mutex(State(writer: ends.write))
    }

    var isRequested: Bool { state.withLock { $0.requested } }

    func request() {
        // Written under the lock, so it can never hit a descriptor number close() already freed
        // (and something else may have reused).
        state.withLock { state in
            state.requested = true
            guard state.writer >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(state.writer, &byte, 1)
        }
    }

    /// Empties the pipe after poll reported it readable.
    func drain() {
        var sink = [UInt8](repeating: 0, count: 16)
        while read(reader, &sink, sink.count) > 0 {}
    }

    /// Called once by the I/O thread when it is done; a later `request()` only sets the flag.
    func close() {
        state.withLock { state in
            _ = Glibc.close(state.writer)
            state.writer = -1
        }
        _ = Glibc.close(reader)
    }
}
