import ConnectorCore
import Executors
import Logging
import Synchronization
import Testing
import WebSocketTransport

@Suite struct HTTPExecutorTests {
    /// A loop and a local HTTP server on 127.0.0.1, port 0, answering with `respond`.
    static func withServer(
        _ respond: @escaping @Sendable (HTTPServerRequest) async -> HTTPServerResponse,
        _ body: (WebSocketEventLoop, String) async throws -> Void
    ) async throws {
        var logger = Logger(label: "executors-test")
        logger.logLevel = .critical
        let loop = try WebSocketEventLoop(name: "exec-http-test", logger: logger)
        do {
            let server = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: nil, httpHandler: respond))
            try await body(loop, "http://127.0.0.1:\(server.port)/api/cloud-executions")
        } catch {
            await loop.shutdown(gracePeriod: .zero)
            throw error
        }
        await loop.shutdown(gracePeriod: .zero)
    }

    @Test func postsTheJobAndReadsTheLinesOfTheAnswer() async throws {
        let received = Mutex<HTTPServerRequest?>(nil)
        let answer = """
            {"type":"progress","progress":0.5,"message":"halfway"}
            {"type":"usage","token_usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10},"model":"local-1"}
            {"type":"result","result":{"summary":"short"}}

            """
        try await Self.withServer({ request in
            received.withLock { $0 = request }
            return HTTPServerResponse(status: 200, contentType: "application/x-ndjson", body: answer)
        }) { loop, url in
            let recorder = OutputRecorder()
            let job = ExecutionJob.tool("summarize", inputs: ["text": "long"])
            let executor = HTTPExecutor(url: url, bearerToken: "local-secret", loop: loop)
            let outcome = await executor.execute(job, output: recorder.callback)

            #expect(outcome == .completed(result: ["summary": "short"]))
            #expect(recorder.all == [
                .progress(fraction: 0.5, message: "halfway"),
                .usage(UsageFigures(promptTokens: 7, completionTokens: 3, totalTokens: 10, model: "local-1")),
            ])
            let request = try #require(received.withLock { $0 })
            #expect(request.head.method == .post)
            #expect(request.head.path == "/api/cloud-executions")
            #expect(request.head.headers["Content-Type"] == "application/json")
            #expect(request.head.headers["Authorization"] == "Bearer local-secret")
            #expect(try JSON.parse(request.body) == [
                "request_id": "req-1", "job_type": "tool", "name": "summarize", "inputs": ["text": "long"],
                "request": .object(job.request),
            ])
            #expect(!"\(executor)".contains("local-secret"))
        }
    }

    @Test func anErrorLineOrAnInvalidLineFails() async throws {
        try await Self.withServer({ request in
            switch request.head.path {
            case "/error":
                HTTPServerResponse(status: 200, contentType: "application/x-ndjson",
                                   body: #"{"type":"error","code":"model_overloaded","message":"try later","retryable":true}"#)
            default:
                HTTPServerResponse(status: 200, contentType: "application/json", body: "{\"type\":\"result\",\n\"result\":1}")
            }
        }) { loop, url in
            let base = url.replacingOccurrences(of: "/api/cloud-executions", with: "")
            let failed = await HTTPExecutor(url: base + "/error", loop: loop).execute(.tool("x"), output: { _ in })
            #expect(failed == .failed(code: "model_overloaded", message: "try later", retryable: true))
            let invalid = await HTTPExecutor(url: base + "/pretty", loop: loop).execute(.tool("x"), output: { _ in })
            #expect(invalid.code == "invalid_handler_output")
            #expect(invalid.message.contains("the HTTP response line 1"), "\(invalid)")
        }
    }

    @Test func aNon2xxStatusIsHandlerFailedWithTheStatus() async throws {
        try await Self.withServer({ _ in
            HTTPServerResponse(status: 500, contentType: "text/plain", body: "Internal\u{1B}[0m error\nin handler")
        }) { loop, url in
            let outcome = await HTTPExecutor(url: url + "?key=hidden", loop: loop).execute(.tool("x"), output: { _ in })
            #expect(outcome.code == "handler_failed")
            #expect(outcome.message == "\(url) answered HTTP 500: Internal [0m error in handler", "\(outcome)")
            #expect(!outcome.isRetryable)
        }
    }

    @Test func aRefusedConnectionIsExecutorUnavailableAndRetryable() async throws {
        var logger = Logger(label: "executors-test")
        logger.logLevel = .critical
        let loop = try WebSocketEventLoop(name: "exec-refused", logger: logger)
        let server = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: nil))
        await server.stop()  // its port is now closed
        let outcome = await HTTPExecutor(url: "http://127.0.0.1:\(server.port)/exec", loop: loop)
            .execute(.tool("x"), output: { _ in })
        await loop.shutdown(gracePeriod: .zero)
        #expect(outcome.code == "executor_unavailable")
        #expect(outcome.isRetryable)
        #expect(outcome.message.contains("refused"), "\(outcome)")
    }

    @Test func cancellationReturnsWithoutWaitingForTheAnswer() async throws {
        let arrived = Mutex(false)
        let answered = Mutex(false)
        try await Self.withServer({ _ in
            arrived.withLock { $0 = true }
            try? await Task.sleep(for: .seconds(20))
            answered.withLock { $0 = true }
            return HTTPServerResponse(status: 200, contentType: "application/json", body: #"{"type":"result","result":1}"#)
        }) { loop, url in
            let executor = HTTPExecutor(url: url, loop: loop)
            let running = Task { await executor.execute(.tool("x"), output: { _ in }) }
            #expect(await eventually { arrived.withLock { $0 } })
            running.cancel()
            #expect(await running.value.code == "cancelled")
            #expect(!answered.withLock { $0 }, "returned only once the server answered")
        }
    }
}
