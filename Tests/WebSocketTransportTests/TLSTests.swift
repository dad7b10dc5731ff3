import Logging
import Testing
import SocketTestSupport
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct TLSTests {
        static func tlsServer(_ loop: WebSocketEventLoop, _ certificates: TestCertificates) async throws -> WebSocketServer {
            try await loop.startServer(WebSocketServerConfiguration(
                webSocketPath: "/ws",
                tls: TLSConfiguration(certificateFile: certificates.certificateFile, privateKeyFile: certificates.privateKeyFile),
                httpHandler: { _ in HTTPServerResponse(status: 200, contentType: "text/plain", body: "secure") }))
        }

        @Test func clientTrustingTheCAConnectsOverWSS() async throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            try await withLoop { loop in
                let server = try await Self.tlsServer(loop, certificates)
                for host in ["127.0.0.1", "localhost"] {
                    let client = try await loop.connect(WebSocketClientConfiguration(
                        url: "wss://\(host):\(server.port)/ws", tls: TLSConfiguration(caFile: certificates.caFile)))
                    let accepted = try #require(await nextConnection(server))
                    let log = EventLog.recording(accepted)
                    try client.send(text: "over tls via \(host)")
                    #expect(await log.waitForTexts(1))
                    #expect(await log.texts == ["over tls via \(host)"])
                    client.close()
                }
                let response = try await loop.send(HTTPClientRequest(
                    url: "https://127.0.0.1:\(server.port)/device-token", tls: TLSConfiguration(caFile: certificates.caFile)))
                #expect(response.status == 200)
                #expect(response.bodyText == "secure")
            }
        }

        @Test func clientWithSystemTrustStoreRejectsTheUnknownCA() async throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            try await withLoop { loop in
                let server = try await Self.tlsServer(loop, certificates)
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(url: "wss://127.0.0.1:\(server.port)/ws"))
                }
                let text = String(describing: error)
                #expect(text.contains("certificate verification failed: unable to get local issuer certificate"), "\(text)")
                let httpError = await #expect(throws: TransportError.self) {
                    _ = try await loop.send(HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/x"))
                }
                #expect(String(describing: httpError).contains("certificate verification failed"), "\(String(describing: httpError))")
            }
        }

        @Test func allowInsecureConnectsAndWarnsAtEveryConnect() async throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let capture = LogCapture.start()
            try await withLoop(logger: capture.logger) { loop in
                let server = try await Self.tlsServer(loop, certificates)
                for attempt in 1...2 {
                    let client = try await loop.connect(WebSocketClientConfiguration(
                        url: "wss://127.0.0.1:\(server.port)/ws", headers: ["Authorization": "Bearer s3cret-token"],
                        tls: TLSConfiguration(allowInsecure: true)))
                    try client.send(text: "insecure \(attempt)")
                    let accepted = try #require(await nextConnection(server))
                    #expect(await EventLog.recording(accepted).waitForTexts(1))
                    client.close()
                }
                #expect(await capture.waitFor { $0.level == .warning && $0.message.contains("DISABLED") })
                let warnings = await capture.all.filter { $0.level == .warning && $0.message.contains("DISABLED") }
                #expect(warnings.count == 2)
                let everything = await capture.all.map { "\($0.message) \($0.metadata)" }.joined()
                #expect(!everything.contains("s3cret-token"))
            }
        }

        @Test func missingCAFileIsAConfigurationError() async throws {
            try await withLoop { loop in
                await #expect(throws: TransportError.self) {
                    _ = try await loop.connect(WebSocketClientConfiguration(
                        url: "wss://127.0.0.1:1/ws", tls: TLSConfiguration(caFile: "/nonexistent/ca.pem")))
                }
            }
        }
    }
}

extension TransportSocketTests.TLSTests {
    /// A wss:// connect held right after its ClientHello while another loop is created, then let go.
    static func handshakeAcrossALoopCreation(_ faults: TransportFaults) async throws -> Result<Void, TransportError> {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        return try await withLoop { loop in
            let server = try await tlsServer(loop, certificates)
            let relay = try GatedRelay(upstreamPort: server.port)
            let configuration = WebSocketClientConfiguration(
                url: "wss://127.0.0.1:\(relay.port)/ws", tls: TLSConfiguration(caFile: certificates.caFile))
            async let connecting: Result<WebSocketConnection, TransportError> = {
                do throws(TransportError) { return .success(try await loop.connect(configuration)) } catch { return .failure(error) }
            }()
            #expect(await relay.waitForFirstBytes(timeout: patience))
            let other = try WebSocketEventLoop(name: "ws-other", logger: Logger(label: "test"), faults: faults)
            await other.shutdown()
            relay.open()
            return await connecting.map { $0.close() }
        }
    }

    @Test func aLoopCreatedDuringAHandshakeLeavesItAlone() async throws {
        let outcome = try await Self.handshakeAcrossALoopCreation([])
        #expect(throws: Never.self) { try outcome.get() }
    }

    @Test("negative control: with every context redoing lws' global TLS init, the held handshake fails")
    func negativeControlGlobalInitPerContext() async throws {
        let outcome = try await Self.handshakeAcrossALoopCreation(.initSSLForEveryContext)
        #expect(throws: TransportError.self) { try outcome.get() }
    }
}
