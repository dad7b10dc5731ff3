import ConnectorCore
import Executors
import Foundation
import Logging
import Synchronization
import SocketTestSupport
import Testing
import WebSocketTransport

/// The HTTP executor reads the answer while the service writes it. The service is a `RawHTTPServer`,
/// so each test decides when every line goes out and sees when the executor hangs up.
@Suite struct HTTPExecutorStreamingTests {
    static func withService(_ body: (WebSocketEventLoop, RawHTTPServer) async throws -> Void) async throws {
        var logger = Logger(label: "executors-test")
        logger.logLevel = .critical
        let loop = try WebSocketEventLoop(name: "exec-stream-test", logger: logger)
        let server = try RawHTTPServer()
        defer { server.close() }
        do {
            try await body(loop, server)
        } catch {
            await loop.shutdown(gracePeriod: .zero)
            throw error
        }
        await loop.shutdown(gracePeriod: .zero)
    }

    static let progress = #"{"type":"progress","progress":0.25,"message":"reading"}"# + "\n"

    @Test func progressReachesOutputBeforeTheServiceWritesItsResult() async throws {
        try await Self.withService { loop, server in
            let recorder = OutputRecorder()
            let executor = HTTPExecutor(url: server.url + "/api/cloud-executions", timeout: .seconds(60), loop: loop)
            let running = Task { await executor.execute(.tool("summarize", inputs: ["text": "long"]), output: recorder.callback) }
            let exchange = try await server.accept()
            defer { exchange.close() }
            #expect(exchange.requestLine == "POST /api/cloud-executions HTTP/1.1")
            #expect(try JSON.parse(exchange.body).objectValue?["name"] == "summarize")

            exchange.startChunked()
            exchange.writeChunk(Self.progress)
            // One line in two chunks: it counts once its newline arrives.
            exchange.writeChunk(#"{"type":"usage","token_usage":"#)
            exchange.writeChunk(#"{"prompt_tokens":7,"completion_tokens":3}}"# + "\n")
            // The service writes its result only once both lines have reached `output`: an
            // executor that reads the whole answer first would wait here in vain.
            #expect(await eventually { recorder.count >= 2 }, "progress did not arrive while the service was working")
            exchange.writeChunk(#"{"type":"result","result":{"summary":"short"}}"# + "\n")
            exchange.endChunks()

            #expect(await running.value == .completed(result: ["summary": "short"]))
            #expect(recorder.all == [
                .progress(fraction: 0.25, message: "reading"),
                .usage(UsageFigures(promptTokens: 7, completionTokens: 3, totalTokens: 10)),
            ])
        }
    }

    @Test func cancellingDuringALongStreamEndsCancelledAtOnceAndTheServiceSeesTheDisconnect() async throws {
        try await Self.withService { loop, server in
            let recorder = OutputRecorder()
            let executor = HTTPExecutor(url: server.url + "/exec", timeout: .seconds(120), loop: loop)
            let running = Task { await executor.execute(.tool("x"), output: recorder.callback) }
            let exchange = try await server.accept()
            defer { exchange.close() }
            exchange.startChunked()
            // A long job: a progress line every 50 ms until the client goes away (or 60 s pass).
            let disconnected = Mutex(false)
            Thread.detachNewThread {
                let end = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < end {
                    guard exchange.writeChunk(Self.progress) else {
                        disconnected.withLock { $0 = true }
                        return
                    }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            #expect(await eventually { recorder.count >= 1 })
            let cancelledAt = ContinuousClock.now
            running.cancel()
            let outcome = await running.value
            #expect(outcome.code == "cancelled", "\(outcome)")
            #expect(ContinuousClock.now - cancelledAt < .seconds(10), "the cancel waited for the service")
            #expect(await eventually { disconnected.withLock { $0 } }, "the service still writes to an open connection")
        }
    }

    @Test func anInvalidLineEndsTheExecutionWithoutWaitingForTheRest() async throws {
        try await Self.withService { loop, server in
            let executor = HTTPExecutor(url: server.url + "/exec", timeout: .seconds(30), loop: loop)
            let running = Task { await executor.execute(.tool("x"), output: { _ in }) }
            let exchange = try await server.accept()
            defer { exchange.close() }
            exchange.startChunked()
            exchange.writeChunk("not json\n")
            // Nothing more is written and the body never ends.
            let outcome = await running.value
            #expect(outcome.code == "invalid_handler_output", "\(outcome)")
            #expect(await exchange.waitForClose(timeout: .seconds(10)), "the request was not aborted")
        }
    }

    @Test func aTimeoutAbortsTheRequest() async throws {
        try await Self.withService { loop, server in
            let recorder = OutputRecorder()
            let executor = HTTPExecutor(url: server.url + "/exec", timeout: .seconds(1), loop: loop)
            let running = Task { await executor.execute(.tool("x"), output: recorder.callback) }
            let exchange = try await server.accept()
            defer { exchange.close() }
            exchange.startChunked()
            exchange.writeChunk(Self.progress)
            let outcome = await running.value
            #expect(outcome.code == "handler_failed", "\(outcome)")
            #expect(outcome.message.contains("timed out"), "\(outcome)")
            #expect(recorder.count == 1)
            #expect(await exchange.waitForClose(timeout: .seconds(10)), "the request was not aborted")
        }
    }
}
