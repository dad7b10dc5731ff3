import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct EchoTests {
        @Test func clientAndServerEchoOverLoopback() async throws {
            try await withLoop { loop in
                let server = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: "/ws"))
                #expect(server.port > 0)
                let echo = Task {
                    for await connection in server.connections {
                        Task {
                            for await event in connection.events {
                                if case .text(let text) = event { try? connection.send(text: "echo:" + text) }
                            }
                        }
                    }
                }
                defer { echo.cancel() }
                let client = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(server.port)/ws"))
                let log = EventLog.recording(client)
                try client.send(text: "hello")
                try client.send(text: "wörld ✓")
                #expect(await log.waitForTexts(2))
                #expect(await log.texts == ["echo:hello", "echo:wörld ✓"])
                #expect(await log.events.first == .opened)
                client.close(code: .normal, reason: "done")
                #expect(await log.waitForClose())
                #expect(await log.closure == .byUs(code: .normal, reason: "done"))
            }
        }
    }
}
