import Foundation
import Testing
import FaultProxy

extension FaultProxyTests {
    @Suite struct StallTests {
        /// How long a test watches for bytes that must not come: long enough to notice a leak,
        /// short enough to keep the suite quick. Not a speed assertion.
        static let quiet: Duration = .milliseconds(300)

        @Test(arguments: [Direction.upstream, .downstream, .both])
        func stallStopsDeliveryAndResumeDeliversTheHeldBytesInOrder(direction: Direction) throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                #expect(client.roundTrip())
                // The client can see the echo a moment before the loop counts its bytes.
                #expect(eventually { proxy.stats.bytesDownstream == 4 })
                let before = proxy.stats

                proxy.stall(direction)
                let bytes = randomBytes(100_000, seed: 3)
                let writer = Background { try client.send(bytes) }
                #expect(client.read(timeout: Self.quiet) == .timedOut)
                if direction.contains(.upstream) { #expect(proxy.stats.bytesUpstream == before.bytesUpstream) }
                #expect(proxy.stats.bytesDownstream == before.bytesDownstream)

                proxy.resume(direction)
                #expect(try client.receive(count: bytes.count) == bytes)
                #expect(writer.wait())
            }
        }

        @Test func aStalledDirectionBuffersOnlyABoundedAmount() throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                #expect(client.roundTrip())
                #expect(eventually { proxy.stats.bytesDownstream == 4 })
                let before = proxy.stats.bytesUpstream
                proxy.stall(.upstream)

                // Write until the socket pushes back: the proxy stopped reading, so only kernel
                // buffers (a few MiB) and the proxy's bounded relay can fill.
                let block = randomBytes(64 * 1024, seed: 4)
                var written = 0
                var idle = 0
                while written < 512 << 20 && idle < 20 {
                    let sent = client.sendWithoutBlocking(block)
                    written += sent
                    // Short writes are the kernel handing over its last bits; the pushback is
                    // real once several tries in a row move nothing.
                    if sent == 0 {
                        idle += 1
                        sleepFor(.milliseconds(10))
                    } else {
                        idle = 0
                    }
                }
                #expect(written < 128 << 20, "wrote \(written) bytes into a stalled proxy")
                #expect(proxy.stats.bytesUpstream == before)

                proxy.resume(.upstream)
                let received = try client.receive(count: written)
                #expect(received.count == written)
            }
        }

        @Test func blackholeAcceptsButNeverForwards() throws {
            try withEchoProxy { proxy, echo throws in
                proxy.setBlackhole(true)
                let swallowed = try Client.connect(port: proxy.port)
                try swallowed.send(Array("anyone there?".utf8))
                #expect(swallowed.read(timeout: Self.quiet) == .timedOut)
                #expect(echo.accepted == 0)
                #expect(proxy.stats.connectionsAccepted == 1)
                #expect(proxy.stats.bytesUpstream == 0)

                proxy.setBlackhole(false)
                let normal = try Client.connect(port: proxy.port)
                defer { normal.close() }
                #expect(normal.roundTrip())
                #expect(echo.accepted == 1)
                // The black-holed one is still swallowed, and freed when its client leaves.
                try swallowed.send(Array("still?".utf8))
                #expect(swallowed.read(timeout: Self.quiet) == .timedOut)
                swallowed.close()
                #expect(eventually { proxy.stats.activeConnections == 1 })
            }
        }
    }
}
