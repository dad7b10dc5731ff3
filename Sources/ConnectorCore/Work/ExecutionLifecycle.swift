/// How an accepted execution ends (R13): exactly one of these, once.
public enum ExecutionTerminal: Sendable, Equatable {
    case completed(result: JSONValue)
    case failed(code: String, message: String, retryable: Bool)
    case cancelled(reason: String?)

    public var eventType: ExecutionEventType {
        switch self {
        case .completed: .completed
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }
}

/// One accepted execution's lifecycle as a value (R13): waiting for a slot → running → ended, with
/// cancels, timeouts and shutdown arriving at any moment. Events in, actions out; the shell appends
/// the events and runs or stops the executor. Whatever the order of events, exactly one `finish`
/// action is ever returned.
public struct ExecutionLifecycle: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case waiting
        case running
        /// A cancel, timeout or shutdown chose the end; the executor is being stopped.
        case stopping(ExecutionTerminal)
        case ended(ExecutionTerminal)
    }

    public enum Action: Sendable, Equatable {
        /// Append `started` and run the executor.
        case start
        case emitProgress(fraction: Double?, message: String?)
        /// Cancel the executor's task; its outcome will arrive and be ignored.
        case stopExecutor
        /// Append the terminal event (with the usage report, in one unit).
        case finish(ExecutionTerminal)
    }

    public private(set) var state = State.waiting

    public init() {}

    public var isEnded: Bool {
        if case .ended = state { return true }
        return false
    }

    /// A concurrency slot is free.
    public mutating func slotGranted() -> [Action] {
        guard state == .waiting else { return [] }
        state = .running
        return [.start]
    }

    public mutating func progress(fraction: Double?, message: String?) -> [Action] {
        guard state == .running, fraction != nil || message != nil else { return [] }
        return [.emitProgress(fraction: fraction.map { min(max($0, 0), 1) }, message: message)]
    }

    /// The executor returned. While stopping, the chosen end wins over whatever it says.
    public mutating func executorFinished(_ terminal: ExecutionTerminal) -> [Action] {
        switch state {
        case .running:
            return end(terminal)
        case .stopping(let chosen):
            return end(chosen)
        case .waiting, .ended:
            return []
        }
    }

    /// `execution_cancel`: a waiting execution ends at once, a running one once its executor stopped.
    public mutating func cancel(reason: String?) -> [Action] {
        stop(with: .cancelled(reason: reason))
    }

    /// `timeout_ms` passed since the execution started.
    public mutating func timedOut(afterMS: Int64) -> [Action] {
        stop(with: .failed(code: "timeout", message: "the execution did not finish within \(afterMS) ms", retryable: true))
    }

    /// The service is stopping: end as interrupted, as a crash would be reported at the next start.
    public mutating func interrupt() -> [Action] {
        stop(with: Self.interrupted)
    }

    public static let interrupted = ExecutionTerminal.failed(
        code: "interrupted", message: "the connector stopped while the execution was running", retryable: true)

    private mutating func stop(with terminal: ExecutionTerminal) -> [Action] {
        switch state {
        case .waiting:
            return end(terminal)
        case .running:
            state = .stopping(terminal)
            return [.stopExecutor]
        case .stopping, .ended:
            return []
        }
    }

    private mutating func end(_ terminal: ExecutionTerminal) -> [Action] {
        state = .ended(terminal)
        return [.finish(terminal)]
    }
}
