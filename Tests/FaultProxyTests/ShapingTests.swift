import Foundation
import Testing
import FaultProxy

extension FaultProxyTests {
    /// Bandwidth and latency: checked only as lower bounds (half the theoretical minimum), never
    /// as speed targets.
    @Suite struct ShapingTests {
        @Test(arguments: [Direction.upstream, .downstream])
        func bandwidthLimitSlowsATransfer(direction: Direction) throws {
            try withEchoProxy { proxy, _ throws in
                let rate = 128 * 1024
                proxy.setBandwidth(bytesPerSecond: rate, direction: direction)
                let bytes = randomBytes(rate, seed: 5)
                let start = ContinuousClock.now
                #expect(try echoThrough(proxy, bytes) == bytes)
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .milliseconds(500), "one second's worth took \(elapsed)")

                proxy.setBandwidth(bytesPerSecond: nil, direction: direction)
                #expect(try echoThrough(proxy, bytes) == bytes)
            }
        }

        @Test func latencyDelaysEveryChunk() throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                proxy.setLatency(.milliseconds(150))
                let start = ContinuousClock.now
                #expect(client.roundTrip())
                // 150 ms each way: at least 300 ms; half of it is the bound asserted.
                #expect(ContinuousClock.now - start >= .milliseconds(150))
                proxy.setLatency(.zero)
                #expect(client.roundTrip())
            }
        }
    }
}
