import ConnectorCore
import Executors
import Foundation
import Glibc
import Synchronization

/// Generous: tests wait for liveness, never assert speed.
let patience: Duration = .seconds(30)

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = patience, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A private temporary folder with `handlers/tools`, `handlers/playbooks` and `work` inside, all
/// mode 0700 whatever the umask, removed by `remove()`.
struct HandlerFixture {
    let root: String
    var handlers: String { root + "/handlers" }
    var work: String { root + "/work" }

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/executors-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        root = String(cString: made)
        for directory in [handlers, handlers + "/tools", handlers + "/playbooks", work] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o700)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes a handler script (a `#!/bin/sh` line is added) with `mode`; returns its path.
    @discardableResult
    func handler(_ relativePath: String, mode: mode_t = 0o700, shebang: Bool = true, _ body: String) throws -> String {
        let path = handlers + "/" + relativePath
        try writeExecutable(path, (shebang ? "#!/bin/sh\n" : "") + body + "\n", mode: mode)
        return path
    }

    /// Written through a close-on-exec descriptor: a process spawned meanwhile by another test must
    /// not inherit it, or exec of this file would fail with ETXTBSY for as long as that one lives.
    func writeExecutable(_ path: String, _ text: String, mode: mode_t = 0o700) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let bytes = Array(text.utf8)
        let written = write(fd, bytes, bytes.count)
        close(fd)
        guard written == bytes.count else { throw POSIXError(.EIO) }
        chmod(path, mode)
    }

    @discardableResult
    func tool(_ name: String, mode: mode_t = 0o700, _ body: String) throws -> String {
        try handler("tools/" + name, mode: mode, body)
    }

    func executor(
        limits: HandlerOutputLimits = HandlerOutputLimits(), grace: Duration = .seconds(2)
    ) -> CommandExecutor {
        CommandExecutor(handlersDirectory: handlers, limits: limits, terminationGrace: grace, workRoot: work)
    }

    /// A file path inside the fixture, for handlers to leave evidence in.
    func file(_ name: String) -> String { root + "/" + name }

    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
}

/// Everything an executor reported through its output callback, in order.
final class OutputRecorder: Sendable {
    private let outputs = Mutex<[ExecutorOutput]>([])
    private let counter = Mutex(0)

    /// Keeps at most `keep` outputs (a flood is counted, not stored).
    let keep: Int
    init(keep: Int = 1000) { self.keep = keep }

    var callback: @Sendable (ExecutorOutput) -> Void {
        { output in
            self.counter.withLock { $0 += 1 }
            self.outputs.withLock { if $0.count < self.keep { $0.append(output) } }
        }
    }

    var all: [ExecutorOutput] { outputs.withLock { $0 } }
    var count: Int { counter.withLock { $0 } }
}

extension ExecutionJob {
    static func tool(_ name: String, inputs: JSONObject = [:], requestID: String = "req-1") -> ExecutionJob {
        ExecutionJob(
            requestID: requestID, kind: .tool, name: name, inputs: inputs,
            request: ["request_id": .string(requestID), "job_type": "tool", "tool_name": .string(name), "inputs": .object(inputs)])
    }

    static func playbook(_ code: String, inputs: JSONObject = [:]) -> ExecutionJob {
        ExecutionJob(
            requestID: "req-pb", kind: .playbook, name: code, inputs: inputs,
            request: ["request_id": "req-pb", "job_type": "playbook", "playbook_code": .string(code)])
    }
}

extension ExecutorOutcome {
    var code: String? {
        if case .failed(let code, _, _) = self { return code }
        return nil
    }

    var message: String {
        if case .failed(_, let message, _) = self { return message }
        return ""
    }

    var isRetryable: Bool {
        if case .failed(_, _, let retryable) = self { return retryable }
        return false
    }
}

/// Whether `pid` no longer runs: gone, or a zombie waiting for a parent that does not reap (in a
/// container, pid 1 may never collect orphans).
func processIsGone(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

/// The pid a handler wrote to `name` in the fixture, once it is there.
func waitForPID(_ fixture: HandlerFixture, _ name: String) async -> pid_t? {
    var pid: pid_t?
    _ = await eventually {
        pid = fixture.read(name).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return pid != nil
    }
    return pid
}
