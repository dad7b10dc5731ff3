import ConnectorCore
import Foundation
import Glibc

/// Runs jobs as local executables: `<handlersDirectory>/tools/NAME` for tools,
/// `<handlersDirectory>/playbooks/CODE` for playbooks.
///
/// A handler gets the job on stdin as one JSON line, `{"request_id", "job_type", "name", "inputs",
/// "request"}`, then EOF, and writes JSON lines to stdout:
/// `{"type": "progress", "progress"?: 0..1, "message"?}`,
/// `{"type": "usage", "token_usage"?: {prompt_tokens, completion_tokens, total_tokens}, "cost_estimate"?: {amount, currency}, "model"?}`,
/// `{"type": "result", "result": any JSON}`, `{"type": "error", "code", "message"?, "retryable"?}`.
/// Progress and usage reach the `output` callback as each line arrives. Exit 0 completes the job with
/// its result (`{}` without one; a second `result` line is invalid output); an `error` line fails it
/// with that error (`retryable` false unless given) whatever the exit status;
/// a non-zero exit or a signal fails it with `handler_failed` and the end of stderr. Error codes:
/// `ExecutorErrorCode`.
///
/// Safe by construction: names that could leave the directory are refused; a handler another user
/// could have written is refused; the child runs in a fresh private working directory with a clean
/// environment (`PATH=/usr/bin:/bin`, `HOME`, `LANG=C.UTF-8`, `CLOUD_CONNECTOR_REQUEST_ID`; never the
/// connector's tokens or keys), leads its own process group, and that whole group is killed when
/// the task is cancelled (SIGTERM, then SIGKILL after `terminationGrace`) and when the handler
/// exits (so nothing it started outlives it). Output is capped (`limits`).
///
/// Threads: each execution reads its pipes on a dedicated thread blocked in poll(2), and the calling
/// task just awaits that thread's answer. Blocking reads would tie up the cooperative pool (two
/// threads on the target devices), and poll on one thread keeps the order of stdout lines, stderr
/// and the exit check trivially sequential, which a set of dispatch sources would not. The
/// `output` callback runs on that thread: it must return quickly.
public struct CommandExecutor: Executor {
    public var handlersDirectory: String
    public var limits: HandlerOutputLimits
    /// Between SIGTERM and SIGKILL when cancelled.
    public var terminationGrace: Duration
    /// Where each execution's working directory is created.
    public var workRoot: String
    /// HOME for handlers; by default this user's home from the password database.
    public var home: String

    public init(
        handlersDirectory: String, limits: HandlerOutputLimits = HandlerOutputLimits(),
        terminationGrace: Duration = .seconds(2), workRoot: String? = nil, home: String? = nil
    ) {
        self.handlersDirectory = handlersDirectory
        self.limits = limits
        self.terminationGrace = terminationGrace
        self.workRoot = workRoot ?? Self.temporaryDirectory()
        self.home = home ?? HandlerEnvironment.defaultHome()
    }

    /// Kills the handlers that executions interrupted by a crash left running in `workRoot` (their
    /// whole process groups), then removes their working directories; returns how many directories.
    /// Call it at start-up, and only when `workRoot` belongs to this connector alone (say
    /// `<data>/work`, under the data directory's lock): in a shared temporary directory it would
    /// also stop the live executions of another connector.
    @discardableResult
    public func removeLeftoverWorkDirectories() -> Int {
        let leftovers = WorkDirectory.all(under: workRoot)
        _ = LeftoverProcesses.kill(workingIn: leftovers.map(\.path))
        leftovers.forEach { $0.remove() }
        return leftovers.count
    }

    public func execute(_ job: ExecutionJob, output: @escaping @Sendable (ExecutorOutput) -> Void) async -> ExecutorOutcome {
        let executable: String
        let cancel: CancellationSignal
        do throws(ExecutorFailure) {
            guard !job.requestID.utf8.contains(0) else {
                throw ExecutorFailure(code: ExecutorErrorCode.invalidRequest, message: "request_id contains a NUL character")
            }
            executable = try HandlerLocator(handlersDirectory: handlersDirectory).locate(job)
            if Task.isCancelled { throw ExecutorFailure.cancelled }
            cancel = try CancellationSignal()
        } catch {
            return error.outcome
        }
        let run = HandlerRun(
            job: job, executable: executable, limits: limits, grace: terminationGrace, workRoot: workRoot, home: home)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    run.perform(cancel: cancel, output: output) { continuation.resume(returning: $0) }
                }
                thread.name = "exec-" + job.name.prefix(10)
                thread.start()
            }
        } onCancel: {
            cancel.request()
        }
    }

    private static func temporaryDirectory() -> String {
        var path = FileManager.default.temporaryDirectory.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
