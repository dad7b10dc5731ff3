import Foundation
import SocketTestSupport
import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct ConnectTests {
        /// A port nobody listens on: bound by a server that then stopped.
        static func closedPort(_ loop: WebSocketEventLoop) async throws -> Int {
            let server = try await loop.startServer(WebSocketServerConfiguration())
            await server.stop()
            return server.port
        }

        @Test func refusedConnectionIsReportedWithItsReason() async throws {
            try await withLoop { loop in
                let port = try await Self.closedPort(loop)
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(port)/ws"))
                }
                guard case .connectFailed(let endpoint, let reason) = try #require(error) else {
                    Issue.record("unexpected \(String(describing: error))")
                    return
                }
                #expect(endpoint == "ws://127.0.0.1:\(port)/ws")
                #expect(reason.lowercased().contains("refused"), "reason: \(reason)")
            }
        }

        @Test func upgradeRefusedByTheServerIsReportedWithItsStatus() async throws {
            try await withLoop { loop in
                let server = try await loop.startServer(WebSocketServerConfiguration(
                    webSocketPath: "/ws",
                    upgradeFilter: { head in head.headers["authorization"] == "Bearer good" ? .accept : .reject(status: 401) }))
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(
                        url: "ws://127.0.0.1:\(server.port)/ws", headers: ["Authorization": "Bearer bad"]))
                }
                #expect(String(describing: error).contains("401"), "\(String(describing: error))")
                let good = try await loop.connect(WebSocketClientConfiguration(
                    url: "ws://127.0.0.1:\(server.port)/ws", headers: ["Authorization": "Bearer good"]))
                good.close()
            }
        }

        @Test func serverSeesUpgradeHeadersPathAndQuery() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop) { client in
                    client.url += "?resume=1"
                    client.headers = [
                        "Authorization": "Bearer t0k3n", "X-Device-Id": "device-1", "X-Tenant-Id": "tenant-a",
                    ]
                }
                let request = try #require(pair.accepted.request)
                #expect(request.path == "/ws")
                #expect(request.query == "resume=1")
                #expect(request.headers["Authorization"] == "Bearer t0k3n")
                #expect(request.headers["x-device-id"] == "device-1")
                #expect(request.headers["X-Tenant-Id"] == "tenant-a")
                #expect(!String(describing: request.headers).contains("t0k3n"))
            }
        }

        @Test func wrongPathIsRefused() async throws {
            try await withLoop { loop in
                let server = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: "/ws"))
                await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(server.port)/other"))
                }
            }
        }

        @Test func silentServerTimesOut() async throws {
            let listener = try SilentListener()
            defer { listener.close() }
            try await withLoop { loop in
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(
                        url: "ws://127.0.0.1:\(listener.port)/ws", connectTimeout: .milliseconds(500)))
                }
                guard case .timedOut = try #require(error) else {
                    Issue.record("expected a timeout, got \(String(describing: error))")
                    return
                }
            }
        }

        @Test func cancellingAConnectEndsIt() async throws {
            let listener = try SilentListener()
            defer { listener.close() }
            try await withLoop { loop in
                let attempt = Task {
                    try await loop.connect(WebSocketClientConfiguration(
                        url: "ws://127.0.0.1:\(listener.port)/ws", connectTimeout: .seconds(600)))
                }
                try await Task.sleep(for: .milliseconds(100))
                attempt.cancel()
                await #expect(throws: TransportError.cancelled) { _ = try await attempt.value }
            }
        }

        @Test func invalidURLsAndHeadersAreRefusedUpFront() async throws {
            try await withLoop { loop in
                await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(url: "http://127.0.0.1/ws"))
                }
                await #expect(throws: TransportError.invalidHeader(name: "X-Bad")) {
                    _ = try await loop.connect(WebSocketClientConfiguration(
                        url: "ws://127.0.0.1:1/ws", headers: ["X-Bad": "a\r\nInjected: yes"]))
                }
            }
        }

        @Test func serverOnAllInterfacesIsReachableOnLoopback() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop, server: WebSocketServerConfiguration(host: "0.0.0.0", webSocketPath: "/ws"))
                try pair.client.send(text: "any")
                #expect(await pair.serverLog.waitForTexts(1))
            }
        }

        @Test func busyPortFailsToListen() async throws {
            try await withLoop { loop in
                let first = try await loop.startServer(WebSocketServerConfiguration())
                await #expect(throws: TransportError.self) {
                    _ = try await loop.startServer(WebSocketServerConfiguration(port: first.port))
                }
            }
        }
    }
}
