import Foundation
import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct ShutdownTests {
        /// Names of this process's threads, as the kernel knows them.
        static func threadNames() -> [String] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.compactMap { task in
                (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }

        @Test func shutdownWithOpenConnectionsClosesThemAndEndsTheThread() async throws {
            let name = "wst-\(UInt16.random(in: 0...UInt16.max))"
            let loop = try WebSocketEventLoop(name: name, logger: .init(label: "test"))
            #expect(Self.threadNames().contains(name))
            let pair = try await connectedPair(loop)
            #expect(Self.threadNames().contains(name + "-srv"))
            let second = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(pair.server.port)/ws"))
            let secondLog = EventLog.recording(second)
            try pair.client.send(text: String(repeating: "q", count: 200_000))

            await loop.shutdown()

            #expect(!loop.isRunning)
            #expect(await pair.clientLog.waitForClose())
            #expect(await pair.serverLog.waitForClose())
            #expect(await secondLog.waitForClose())
            for closure in [await pair.clientLog.closure, await secondLog.closure] {
                #expect(closure?.code == .goingAway || closure == .failed(reason: "event loop shut down"), "\(String(describing: closure))")
            }
            #expect(throws: WebSocketSendError.closed) { try pair.client.send(text: "after shutdown") }
            await #expect(throws: TransportError.loopStopped) {
                _ = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:1/ws"))
            }
            // The loop's thread and its server's thread ("<name>-srv") are both gone.
            #expect(await eventually { !Self.threadNames().contains { $0.hasPrefix(name) } }, "service thread still alive")
            await loop.shutdown()  // a second shutdown is harmless
        }

        @Test func stoppedServerReleasesItsPortForARestart() async throws {
            try await withLoop { loop in
                let first = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: "/ws"))
                let client = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(first.port)/ws"))
                let clientLog = EventLog.recording(client)
                await first.stop()
                #expect(await clientLog.waitForClose())
                #expect(await clientLog.closure == .byPeer(code: .goingAway, reason: "shutting down"))

                let again = try await loop.startServer(WebSocketServerConfiguration(port: first.port, webSocketPath: "/ws"))
                #expect(again.port == first.port)
                let reconnected = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(again.port)/ws"))
                let accepted = try #require(await nextConnection(again))
                try reconnected.send(text: "back")
                #expect(await EventLog.recording(accepted).waitForTexts(1))
            }
        }

        @Test func loopsOnManyThreadsStartAndStop() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await withLoop { loop in
                            let pair = try await connectedPair(loop)
                            try pair.client.send(text: "ping")
                            #expect(await pair.serverLog.waitForTexts(1))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
