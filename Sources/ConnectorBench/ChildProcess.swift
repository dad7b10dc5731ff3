import Foundation

/// A child process started with posix_spawn, for measuring the connector on its own (P4): its
/// memory is then its own. The child's stdout goes to this process's stderr, so the report on
/// stdout stays clean.
struct ChildProcess: Sendable {
    enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    let pid: pid_t
    let path: String

    static func spawn(_ path: String, arguments: [String], environment: [String: String]) throws -> ChildProcess {
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard status == 0 else {
            throw BenchFailure("cannot start \(path): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid, path: path)
    }

    /// Nil while the child runs; how it ended once it has (reaps it).
    func poll() -> Termination? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits up to `timeout` for the child to end; nil if it is still running.
    func wait(timeout: Duration) async -> Termination? {
        let deadline = Measure.now() + timeout
        while Measure.now() < deadline {
            if let termination = poll() { return termination }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return poll()
    }

    /// User + system CPU seconds the child has used so far (from /proc/<pid>/stat); nil once it is gone.
    func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGKILL and reap, for cleaning up after a failure.
    func forceStop() {
        signal(SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
