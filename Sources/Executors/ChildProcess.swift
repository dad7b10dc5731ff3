import Glibc

/// A handler process started with posix_spawn, leading its own process group, and the parent's
/// ends of its three pipes (non-blocking, close-on-exec).
///
/// posix_spawn rather than Foundation.Process: only it offers POSIX_SPAWN_SETPGROUP (so cancel can
/// signal the handler and everything it started, and nothing else), and SETSIGMASK/SETSIGDEF (the
/// connector may run with signals blocked or ignored, and a child inherits both: a handler that
/// ignores SIGTERM could not be stopped politely, one with SIGCHLD ignored could not wait for its
/// own children).
struct ChildProcess {
    let pid: pid_t
    /// Write end of the child's stdin; -1 once closed.
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32

    /// Reset to their default action in the child: the ones whose inherited SIG_IGN breaks programs.
    private static let defaultSignals: [Int32] = [
        SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU,
    ]

    struct SpawnError: Error {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(HandlerLocator.describe(code))" }
    }

    static func spawn(
        executable: String, environment: [String], workingDirectory: String
    ) throws(SpawnError) -> ChildProcess {
        var opened: [Int32] = []
        func pipe(_ name: String) throws(SpawnError) -> (read: Int32, write: Int32) {
            guard let ends = GNUExtensions.closeOnExecPipe() else {
                let code = errno
                opened.forEach { _ = close($0) }
                throw SpawnError(operation: "creating the \(name) pipe", code: code)
            }
            opened += [ends.read, ends.write]
            return ends
        }
        let input = try pipe("stdin")
        let output = try pipe("stdout")
        let errors = try pipe("stderr")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies; every other descriptor is closed.
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        GNUExtensions.addCloseFrom(&actions, 3)
        let chdirStatus = GNUExtensions.addChangeDirectory(&actions, workingDirectory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)  // a new group whose id is the child's pid
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var pid: pid_t = 0
        var status = chdirStatus
        if status == 0 {
            let argv = CStringArray([executable])
            let envp = CStringArray(environment)
            status = withExtendedLifetime((argv, envp)) {
                posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
            }
        }
        // The child has its copies (or there is no child): the parent keeps only its own ends.
        for fd in [input.read, output.write, errors.write] { _ = close(fd) }
        guard status == 0 else {
            for fd in [input.write, output.read, errors.read] { _ = close(fd) }
            throw SpawnError(operation: chdirStatus != 0 ? "setting the working directory" : "starting \(executable)", code: status)
        }
        for fd in [input.write, output.read, errors.read] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return ChildProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    }

    /// Signals the whole group. Until the leader is reaped its pid, and so the group id, cannot be
    /// reused, which is why the session reaps only after its last signal.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// How the leader ended, if it has; leaves it a zombie (WNOWAIT) so the group id stays reserved.
    func peekTermination() -> Termination? {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 { break }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it (the connector runs with SIGCHLD ignored, say).
            return .unknown
        }
        guard info._sifields._sigchld.si_pid == pid else { return nil }  // still running
        let status = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? .exited(status) : .signalled(status)
    }

    /// Collects the leader; blocks only until it has exited.
    func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    mutating func closeStdin() {
        if stdin >= 0 { _ = close(stdin) }
        stdin = -1
    }
}

/// How a handler process ended.
enum Termination: Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// The status was collected by someone else.
    case unknown
}

/// argv/envp for posix_spawn: NUL-terminated copies, freed with the array.
private final class CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    deinit { pointers.forEach { free($0) } }
}
