import Foundation
import Glibc
import Synchronization

/// How a child ended.
enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A child started by `Spawner`. Its exit is collected by a thread of its own blocked in waitid(2),
/// so signals are only ever sent to a pid that is still this child (never to a reused pid).
final class ChildProcess: Sendable {
    let pid: pid_t
    let name: String

    private struct State {
        var status: ExitStatus?
        var waiters: [CheckedContinuation<ExitStatus, Never>] = []
    }

    private let state = Mutex(State())

    init(pid: pid_t, name: String) {
        self.pid = pid
        self.name = name
        let thread = Thread { [self] in reap() }
        thread.name = "reap-\(pid)"
        thread.start()
    }

    var hasExited: Bool { state.withLock { $0.status != nil } }

    /// Sends `signal` to the child's process group (which it leads), unless it already ended.
    func signal(_ signal: Int32) {
        state.withLock { state in
            guard state.status == nil else { return }
            kill(-pid, signal)
            kill(pid, signal)
        }
    }

    func exitStatus() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> ExitStatus? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// The exit status, or nil if the child is still running after `timeout`.
    func exitStatus(within timeout: Duration) async -> ExitStatus? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = state.withLock({ $0.status }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state.withLock { $0.status }
    }

    /// SIGKILL, and wait until it is gone.
    func killNow() async -> ExitStatus {
        signal(SIGKILL)
        return await exitStatus()
    }

    /// SIGTERM; SIGKILL if it has not ended after `grace`.
    func terminate(grace: Duration) async -> ExitStatus {
        signal(SIGTERM)
        if let status = await exitStatus(within: grace) { return status }
        return await killNow()
    }

    private func reap() {
        // Wait without reaping first: while the zombie exists the pid cannot be reused, so a signal
        // sent under the lock before `status` is set can only reach this child.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        var raw: Int32 = 0
        let waiters = state.withLock { state in
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            state.status = ExitStatus(waitStatus: raw)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        let status = ExitStatus(waitStatus: raw)
        for waiter in waiters { waiter.resume(returning: status) }
    }
}
