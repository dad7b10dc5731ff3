/// The failure codes the executors themselves produce, for `ExecutorOutcome.failed(code:…)`. A
/// handler's own `error` line may carry any other code; these are the ones a caller can rely on.
public enum ExecutorErrorCode {
    /// The job cannot be run as asked: a tool or playbook name that could leave the handlers
    /// directory, or a request id that cannot be passed to a child process.
    public static let invalidRequest = "invalid_request"
    /// No handler `tools/NAME` exists.
    public static let unknownTool = "unknown_tool"
    /// No handler `playbooks/CODE` exists.
    public static let unknownPlaybook = "unknown_playbook"
    /// The handler exists but is refused: writable by group or others, owned by another user, not a
    /// regular file, not executable, or a symbolic link leading out of the handlers directory. The
    /// message says which, and the command that fixes it.
    public static let unsafeHandler = "unsafe_handler"
    /// The handler could not start, exited non-zero, died of a signal, or (HTTP) answered non-2xx.
    public static let handlerFailed = "handler_failed"
    /// A handler output line was not JSON, not an object, had an unknown `type` or a malformed field.
    public static let invalidHandlerOutput = "invalid_handler_output"
    /// The handler wrote more than the output cap in total, or one line longer than the line cap.
    public static let outputTooLarge = "output_too_large"
    /// The handler's result encodes to more than the result cap (PROTOCOL R3: 1 MiB).
    public static let resultTooLarge = "result_too_large"
    /// The HTTP executor could not be reached (connection refused, loop stopped) or is misconfigured.
    public static let executorUnavailable = "executor_unavailable"
    /// The calling task was cancelled (`execution_cancel` or `timeout_ms`); the work was stopped.
    /// The caller decides how the execution ends, so this outcome is informational.
    public static let cancelled = "cancelled"
}

/// A failure decided before or instead of running a handler, thrown internally and turned into an
/// outcome at the edge.
struct ExecutorFailure: Error, Equatable {
    var code: String
    var message: String
    var retryable = false

    var outcome: ExecutorOutcome { .failed(code: code, message: message, retryable: retryable) }

    static let cancelled = ExecutorFailure(
        code: ExecutorErrorCode.cancelled, message: "cancelled before the handler finished")
}
