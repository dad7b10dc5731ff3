import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct CloseTests {
        static let codes: [UInt16] = [1000, 1001, 4400, 4401, 4403, 4408]

        @Test(arguments: codes) func clientCloseCodeAndReasonReachTheServer(code: UInt16) async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                pair.client.close(code: WebSocketCloseCode(code), reason: "client says \(code)")
                #expect(await pair.serverLog.waitForClose())
                #expect(await pair.serverLog.closure == .byPeer(code: WebSocketCloseCode(code), reason: "client says \(code)"))
                #expect(await pair.clientLog.waitForClose())
                #expect(await pair.clientLog.closure == .byUs(code: WebSocketCloseCode(code), reason: "client says \(code)"))
                #expect(throws: WebSocketSendError.closed) { try pair.client.send(text: "too late") }
            }
        }

        @Test(arguments: codes) func serverCloseCodeAndReasonReachTheClient(code: UInt16) async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                pair.accepted.close(code: WebSocketCloseCode(code), reason: "server says \(code)")
                #expect(await pair.clientLog.waitForClose())
                #expect(await pair.clientLog.closure == .byPeer(code: WebSocketCloseCode(code), reason: "server says \(code)"))
                #expect(await pair.serverLog.waitForClose())
                #expect(await pair.serverLog.closure?.code == WebSocketCloseCode(code))
            }
        }

        @Test func abortDropsTheConnectionWithoutHandshake() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                pair.accepted.abort()
                #expect(await pair.clientLog.waitForClose())
                guard case .failed = try #require(await pair.clientLog.closure) else {
                    Issue.record("expected a failed closure, got \(String(describing: await pair.clientLog.closure))")
                    return
                }
            }
        }
    }
}
