import Testing
import Logging
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

extension TransportSocketTests {
    /// A heartbeat timeout closes a link whose peer stopped reading: the close frame can then never
    /// be written, and its close must still be reported (the link waits for it before reconnecting).
    @Suite struct CloseToAPeerThatStoppedReadingTests {
        /// Connects through a relay, stalls it, fills every buffer on the way, then closes.
        static func closeWhileStalled(faults: TransportFaults, wait: Duration, abortAfter: Duration? = nil) async throws -> WebSocketClosure? {
            let loop = try WebSocketEventLoop(name: "ws-stall", logger: Logger(label: "test"), faults: faults)
            let server = try await loop.startServer(WebSocketServerConfiguration(webSocketPath: "/ws"))
            let relay = try StallingRelay(upstreamPort: server.port)
            let client = try await loop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(relay.port)/ws"))
            let log = EventLog.recording(client)
            _ = await nextConnection(server)
            relay.stall()
            // Far more than loopback's socket buffers hold, so our side stops being writeable.
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 512 * 1024)
            for _ in 0..<64 { try? client.send(utf8: chunk) }
            try await Task.sleep(for: .milliseconds(500))
            client.close(code: WebSocketCloseCode(4408), reason: "stale")
            if let abortAfter {
                try await Task.sleep(for: abortAfter)
                client.abort()
            }
            _ = await log.wait(timeout: wait) { $0.contains(where: \.isClosed) }
            let closure = await log.closure
            relay.close()
            await loop.shutdown()
            return closure
        }

        @Test("a close to a peer that stopped reading is reported within the close-send timeout")
        func closeIsReported() async throws {
            let closure = try await Self.closeWhileStalled(faults: [], wait: .seconds(30))
            guard case .failed(let reason) = try #require(closure, "the close was never reported") else {
                Issue.record("expected a failed closure, got \(String(describing: closure))")
                return
            }
            #expect(reason.contains("before our close frame went out"), "\(reason)")
        }

        /// The link's own 3 s abort is the other way out; shown without the timeout so it alone acts.
        @Test("an abort after such a close ends the socket at once, also without the close-send timeout")
        func abortEndsTheStalledClose() async throws {
            let closure = try await Self.closeWhileStalled(faults: .unboundedCloseSend, wait: .seconds(12), abortAfter: .seconds(1))
            #expect(closure == .failed(reason: "aborted by us"), "\(String(describing: closure))")
        }

        @Test("negative control: without the timeout the close is never reported")
        func withoutTheTimeoutTheCloseHangs() async throws {
            let closure = try await Self.closeWhileStalled(faults: .unboundedCloseSend, wait: .seconds(12))
            #expect(closure == nil, "\(String(describing: closure))")
        }
    }
}
