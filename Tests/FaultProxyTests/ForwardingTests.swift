import Foundation
import Testing
import FaultProxy

extension FaultProxyTests {
    /// Without faults the proxy is invisible: bytes, order, half-closes and upstream failures
    /// pass through unchanged.
    @Suite struct ForwardingTests {
        @Test func oneMebibyteOfRandomBytesPassesUnchangedBothWays() throws {
            try withEchoProxy { proxy, _ throws in
                let bytes = randomBytes(1 << 20, seed: 1)
                #expect(try echoThrough(proxy, bytes) == bytes)
                #expect(eventually { proxy.stats.bytesUpstream == 1 << 20 && proxy.stats.bytesDownstream == 1 << 20 })
                #expect(proxy.stats.connectionsAccepted == 1)
            }
        }

        @Test func concurrentConnectionsStaySeparate() throws {
            try withEchoProxy { proxy, echo throws in
                let payloads = (0..<6).map { randomBytes(256 * 1024, seed: 100 + UInt64($0)) }
                let clients = try payloads.map { _ in try Client.connect(port: proxy.port) }
                defer { clients.forEach { $0.close() } }
                let writers = zip(clients, payloads).map { client, bytes in Background { try client.send(bytes) } }
                for (client, bytes) in zip(clients, payloads) {
                    #expect(try client.receive(count: bytes.count) == bytes)
                }
                #expect(writers.allSatisfy { $0.wait() })
                #expect(echo.accepted == 6)
            }
        }

        @Test func halfClosePassesThroughAndTheUpstreamCloseComesBack() throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                let bytes = randomBytes(10_000, seed: 2)
                try client.send(bytes)
                client.shutdownWrite()
                // The echo sees EOF only if the proxy forwarded the FIN; it then closes, and
                // that FIN comes back after every echoed byte.
                #expect(try client.receive(count: bytes.count) == bytes)
                #expect(client.waitForClose() == .eof)
                #expect(eventually { proxy.stats.activeConnections == 0 })
            }
        }

        @Test func unreachableUpstreamDropsTheClient() throws {
            let closed = try listeningSocket(port: 0, listening: false)
            close(closed.fd)
            let proxy = try FaultProxy(upstreamPort: closed.port)
            defer { proxy.stop() }
            let client = try Client.connect(port: proxy.port)
            defer { client.close() }
            let end = client.waitForClose()
            #expect(end == .failed(ECONNRESET) || end == .eof, "\(end)")
            #expect(eventually { proxy.stats.upstreamConnectFailures == 1 })
        }

        @Test func aNonLiteralUpstreamHostIsRejected() {
            #expect(throws: FaultProxyError.self) { _ = try FaultProxy(upstreamHost: "localhost", upstreamPort: 80) }
        }
    }
}
