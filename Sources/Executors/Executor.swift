public import ConnectorCore

/// One piece of work for an executor: a validated `execution_request` (a playbook or a tool; chains
/// are run step by step by the TransportHandler through the same executors).
public struct ExecutionJob: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case playbook
        case tool
    }

    public var requestID: String
    public var kind: Kind
    /// `playbook_code` or `tool_name`.
    public var name: String
    public var inputs: JSONObject
    /// The whole request payload as the cloud sent it (tenant, workspace, profile, …), for handlers
    /// that want more than the inputs.
    public var request: JSONObject

    public init(requestID: String, kind: Kind, name: String, inputs: JSONObject, request: JSONObject) {
        self.requestID = requestID
        self.kind = kind
        self.name = name
        self.inputs = inputs
        self.request = request
    }
}

/// What an executor reports while it runs. The TransportHandler turns `progress` into `progress`
/// events and sums `usage` into the execution's `usage_report`.
public enum ExecutorOutput: Sendable, Equatable {
    /// `fraction` in 0...1 when known; either may be nil, not both.
    case progress(fraction: Double?, message: String?)
    case usage(UsageFigures)
}

/// Usage as a handler reports it; each report adds to the execution's totals.
public struct UsageFigures: Sendable, Equatable {
    public var promptTokens: Int64
    public var completionTokens: Int64
    public var totalTokens: Int64
    /// The decimal literal as the handler wrote it (money never passes through binary floating point).
    public var costAmount: JSONNumber?
    public var currency: String?
    public var model: String?

    public init(
        promptTokens: Int64 = 0, completionTokens: Int64 = 0, totalTokens: Int64 = 0, costAmount: JSONNumber? = nil,
        currency: String? = nil, model: String? = nil
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costAmount = costAmount
        self.currency = currency
        self.model = model
    }
}

/// How an execution ended, from the executor's side.
public enum ExecutorOutcome: Sendable, Equatable {
    case completed(result: JSONValue)
    /// `code` is one of the documented codes (`unknown_tool`, `unknown_playbook`, `handler_failed`,
    /// `invalid_handler_output`, `output_too_large`, `result_too_large`, `executor_unavailable`, …; see
    /// `ExecutorErrorCode`) or one the handler reported itself. An executor whose task was cancelled
    /// returns code `cancelled`.
    case failed(code: String, message: String, retryable: Bool)
}

/// Runs jobs. Implementations must honour task cancellation promptly (the TransportHandler cancels
/// on `execution_cancel` and on `timeout_ms`): stop the work — for a child process, its whole
/// process group — and return; the handler decides how the execution ends.
///
/// The `output` callback may be called on any thread (the command executor calls it from the
/// execution's I/O thread), in order, and always before `execute` returns; it should not block.
public protocol Executor: Sendable {
    func execute(_ job: ExecutionJob, output: @escaping @Sendable (ExecutorOutput) -> Void) async -> ExecutorOutcome
}
