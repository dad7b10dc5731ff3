import Foundation
import Glibc
import Synchronization

/// What to start: stdin is /dev/null, stdout and stderr go to files (never pipes: a chatty child
/// can never block on a full pipe, and the files stay for a post-mortem).
struct SpawnRequest: Sendable {
    var name: String
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var stdoutPath: String
    var stderrPath: String
}

/// What went wrong with the rig itself (a process that would not start, a file that cannot be
/// written): not a finding about the system, but the run cannot go on.
struct TortureError: Error, CustomStringConvertible {
    let description: String
}

/// Starts every child of the driver so that none outlives it, even when the driver is SIGKILLed:
/// each runs under `setpriv --pdeathsig KILL` (util-linux, in every Debian), so the kernel kills it
/// when its parent thread ends. Linux ties that signal to the *thread* that forked, not the
/// process, and the cooperative pool's threads may come and go; so every spawn happens on this
/// one thread, which lives as long as the process. Each child also leads its own process group.
///
/// What the connector itself starts (command handlers, each in its own process group) is its
/// business: after a SIGKILL of the connector, its next start kills what the dead one left running
/// (RunCommand's sweep); if the driver dies, those handlers end on their own within a second.
final class Spawner: Sendable {
    static let shared = Spawner()
    static let setpriv = "/usr/bin/setpriv"

    private struct Job: Sendable {
        let request: SpawnRequest
        let reply: @Sendable (Result<pid_t, TortureError>) -> Void
    }

    private let jobs = Mutex<[Job]>([])
    private let wake = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "spawner"
        thread.start()
    }

    func spawn(_ request: SpawnRequest) async throws(TortureError) -> ChildProcess {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<pid_t, TortureError>, Never>) in
            jobs.withLock { $0.append(Job(request: request, reply: { continuation.resume(returning: $0) })) }
            wake.signal()
        }
        return ChildProcess(pid: try result.get(), name: request.name)
    }

    private func serve() {
        while true {
            wake.wait()
            let pending = jobs.withLock { jobs in
                defer { jobs.removeAll() }
                return jobs
            }
            for job in pending { job.reply(Self.start(job.request)) }
        }
    }

    private static func start(_ request: SpawnRequest) -> Result<pid_t, TortureError> {
        guard FileManager.default.isExecutableFile(atPath: request.executable) else {
            return .failure(TortureError(description: "\(request.executable) is not an executable file"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, request.stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group; no signal blocked or ignored because the driver's thread had it so.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = [setpriv, "--pdeathsig", "KILL", "--", request.executable] + request.arguments
        let envp = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvp = envp.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnvp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, setpriv, &actions, &attributes, cArgv, cEnvp)
        guard result == 0 else {
            return .failure(TortureError(description: "cannot start \(request.executable): \(String(cString: strerror(result)))"))
        }
        return .success(pid)
    }
}
