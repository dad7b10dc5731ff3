import ConnectorCore
public import WebSocketTransport

/// Forwards jobs to a local HTTP service (e.g. a Local-Core API): POSTs the job document
/// `{"request_id", "job_type", "name", "inputs", "request"}` to `url` as `application/json`, and
/// reads the answer as JSON lines with the command handlers' vocabulary (`progress`, `usage`,
/// `result`, `error`; see `CommandExecutor`).
///
/// The event loop's HTTP client returns a response only once it is complete (there is no streaming
/// client), so the lines are processed after the whole body has arrived: progress and usage reach
/// the `output` callback in order, but all at the end, not as the service writes them.
///
/// Status: 2xx → the lines decide (no `result` → `{}`); any other status → `handler_failed` naming it
/// (retryable for 429, 502, 503, 504); connection refused or the loop stopped →
/// `executor_unavailable`, retryable. The request itself cannot be cancelled: on task cancellation
/// this returns at once (code `cancelled`) and the late answer is dropped.
public struct HTTPExecutor: Executor, CustomStringConvertible {
    public let url: String
    public let timeout: Duration
    public let limits: HandlerOutputLimits
    private let bearerToken: RedactedSecret?
    private let loop: WebSocketEventLoop

    /// `bearerToken` goes out as `Authorization: Bearer …` and is never printed; `timeout` bounds
    /// the whole exchange (the caller's `timeout_ms` usually ends it sooner by cancelling).
    public init(
        url: String, bearerToken: String? = nil, timeout: Duration = .seconds(600),
        limits: HandlerOutputLimits = HandlerOutputLimits(), loop: WebSocketEventLoop
    ) {
        self.url = url
        self.bearerToken = bearerToken.map(RedactedSecret.init(value:))
        self.timeout = timeout
        self.limits = limits
        self.loop = loop
    }

    public var description: String { "HTTPExecutor(\(shownURL))" }

    public func execute(_ job: ExecutionJob, output: @escaping @Sendable (ExecutorOutput) -> Void) async -> ExecutorOutcome {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/x-ndjson, application/json"]
        if let bearerToken { headers.add(name: "Authorization", value: "Bearer \(bearerToken.value)") }
        let request = HTTPClientRequest(
            method: .post, url: url, headers: headers, body: JSON.encode(job.document), timeout: timeout,
            maxResponseBytes: limits.maxOutputBytes)
        let loop = self.loop
        let answer = await returningOnCancellation { () async -> Result<HTTPClientResponse, TransportError> in
            do throws(TransportError) {
                return .success(try await loop.send(request))
            } catch {
                return .failure(error)
            }
        }
        switch answer {
        case nil: return ExecutorFailure.cancelled.outcome
        case .failure(let error)?: return failure(for: error).outcome
        case .success(let response)?: return outcome(of: response, output: output)
        }
    }

    private func outcome(of response: HTTPClientResponse, output: @escaping @Sendable (ExecutorOutput) -> Void) -> ExecutorOutcome {
        guard (200..<300).contains(response.status) else {
            let body = DisplayText.head(response.body, limit: 300)
            return ExecutorFailure(
                code: ExecutorErrorCode.handlerFailed,
                message: "\(shownURL) answered HTTP \(response.status)" + (body.isEmpty ? "" : ": \(body)"),
                retryable: [429, 502, 503, 504].contains(response.status)
            ).outcome
        }
        // Checked again here: a cancel that lands while the body is processed still mutes progress.
        var collector = HandlerOutputCollector(limits: limits, source: "the HTTP response", output: output)
        collector.isMuted = Task.isCancelled
        collector.consume(response.body)
        collector.finish()
        if let violation = collector.violation { return violation.outcome }
        if let reported = collector.reportedError { return reported.outcome }
        return .completed(result: collector.result ?? .object(JSONObject()))
    }

    private func failure(for error: TransportError) -> ExecutorFailure {
        switch error {
        case .connectFailed, .loopStopped:
            ExecutorFailure(
                code: ExecutorErrorCode.executorUnavailable, message: "cannot reach \(shownURL): \(error)", retryable: true)
        case .invalidURL, .invalidHeader, .tlsConfiguration:
            ExecutorFailure(
                code: ExecutorErrorCode.executorUnavailable, message: "the HTTP executor is misconfigured: \(error)")
        case .responseTooLarge:
            ExecutorFailure(
                code: ExecutorErrorCode.outputTooLarge,
                message: "\(shownURL) answered with more than \(limits.maxOutputBytes) bytes")
        case .cancelled:
            ExecutorFailure.cancelled
        default:
            ExecutorFailure(code: ExecutorErrorCode.handlerFailed, message: "\(shownURL): \(error)")
        }
    }

    /// The URL without its query, which could carry a credential, for messages that go to the cloud.
    private var shownURL: String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }
}
