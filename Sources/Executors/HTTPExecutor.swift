import ConnectorCore
public import WebSocketTransport

/// Forwards jobs to a local HTTP service (e.g. a Local-Core API): POSTs the job document
/// `{"request_id", "job_type", "name", "inputs", "request"}` to `url` as `application/json`, and
/// reads the answer as JSON lines with the command handlers' vocabulary (`progress`, `usage`,
/// `result`, `error`; see `CommandExecutor`).
///
/// The answer is streamed: each line is handled as soon as its newline arrives, so `progress` and
/// `usage` reach the `output` callback while the service is still working (it should flush after
/// each line, e.g. writing `Transfer-Encoding: chunked`). The output caps (`limits`) apply as for a
/// command handler; a violation aborts the request at once.
///
/// Status: 2xx → the lines decide (no `result` → `{}`); any other status → `handler_failed` naming it
/// (retryable for 429, 502, 503, 504); connection refused or the loop stopped →
/// `executor_unavailable`, retryable; `timeout` passed → `handler_failed`. Task cancellation aborts
/// the request, closing its connection so the service sees the client go away, and returns
/// `cancelled` at once (usage lines read before that were already reported).
public struct HTTPExecutor: Executor, CustomStringConvertible {
    public let url: String
    public let timeout: Duration
    public let limits: HandlerOutputLimits
    private let bearerToken: RedactedSecret?
    private let loop: WebSocketEventLoop

    /// `bearerToken` goes out as `Authorization: Bearer …` and is never printed; `timeout` bounds
    /// the whole exchange, up to the last line (the caller's `timeout_ms` usually ends it sooner by
    /// cancelling).
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
        let response: HTTPResponseStream
        do throws(TransportError) {
            response = try await loop.stream(request)
        } catch {
            return failure(for: error).outcome
        }
        guard (200..<300).contains(response.status) else { return await statusFailure(response) }

        var collector = HandlerOutputCollector(limits: limits, source: "the HTTP response", output: output)
        do throws(TransportError) {
            for try await chunk in response {
                // A chunk taken just as the task is cancelled is still checked, but reports no progress.
                collector.isMuted = Task.isCancelled
                collector.consume(chunk)
                if collector.violation != nil {
                    // Nothing the service says now can count: stop it, as a handler would be killed.
                    response.cancel()
                    break
                }
            }
        } catch {
            return failure(for: error).outcome
        }
        if Task.isCancelled { return ExecutorFailure.cancelled.outcome }
        collector.finish()
        if let violation = collector.violation { return violation.outcome }
        if let reported = collector.reportedError { return reported.outcome }
        return .completed(result: collector.result ?? .object(JSONObject()))
    }

    /// `handler_failed` naming a non-2xx status and the start of the body.
    private func statusFailure(_ response: HTTPResponseStream) async -> ExecutorOutcome {
        // Enough bytes for the 300 characters shown; the rest is not read.
        let wanted = 1_204
        var body: [UInt8] = []
        do throws(TransportError) {
            for try await chunk in response {
                body.append(contentsOf: chunk.prefix(wanted - body.count))
                if body.count >= wanted { break }
            }
        } catch {
            if error == .cancelled { return ExecutorFailure.cancelled.outcome }
            // Otherwise the status is the news; show what arrived of the body.
        }
        response.cancel()
        let shown = DisplayText.head(body, limit: 300)
        return ExecutorFailure(
            code: ExecutorErrorCode.handlerFailed,
            message: "\(shownURL) answered HTTP \(response.status)" + (shown.isEmpty ? "" : ": \(shown)"),
            retryable: [429, 502, 503, 504].contains(response.status)
        ).outcome
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
