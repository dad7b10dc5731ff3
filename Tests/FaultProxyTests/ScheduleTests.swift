import Foundation
import Testing
@testable import FaultProxy

extension FaultProxyTests {
    @Suite struct ScheduleTests {
        @Test func cutScheduleCutsUntilStopped() throws {
            try withEchoProxy { proxy, _ throws in
                proxy.startCutSchedule(every: .milliseconds(50)...(.milliseconds(500)), seed: 42)
                // Keep a connection up, reconnecting after each cut, until a few cuts happened.
                var client: Client?
                var disconnects = 0
                #expect(eventually {
                    if client == nil { client = try? Client.connect(port: proxy.port) }
                    if let open = client, !open.roundTrip(timeout: .seconds(10)) {
                        open.close()
                        client = nil
                        disconnects += 1
                    }
                    return proxy.stats.cuts >= 3
                })
                client?.close()
                #expect(disconnects >= 1)

                proxy.stopSchedule()
                let cuts = proxy.stats.cuts
                let survivor = try Client.connect(port: proxy.port)
                defer { survivor.close() }
                // Longer than the longest interval: a schedule still running would cut.
                let end = ContinuousClock.now + .milliseconds(700)
                while ContinuousClock.now < end {
                    #expect(survivor.roundTrip())
                    sleepFor(.milliseconds(20))
                }
                #expect(proxy.stats.cuts == cuts)
            }
        }

        @Test func cutIntervalsFollowTheSeedAndStayInRange() {
            let range: ClosedRange<Duration> = .milliseconds(50)...(.milliseconds(500))
            func intervals(_ seed: UInt64) -> [Duration] {
                var schedule = CutSchedule(every: range, seed: seed, reset: true, now: .now)
                return (0..<50).map { _ in schedule.nextInterval() }
            }
            #expect(intervals(7) == intervals(7))
            #expect(intervals(7) != intervals(8))
            #expect(intervals(7).allSatisfy { range.contains($0) })
        }

        @Test func stallScheduleHoldsTrafficPeriodicallyAndStops() throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                #expect(client.roundTrip())
                let start = ContinuousClock.now
                proxy.startStallSchedule(stall: .milliseconds(300), every: .milliseconds(600))
                // Ping through one whole stall window (300–600 ms in): the ping in flight when it
                // starts waits for its end.
                var longest: Duration = .zero
                while ContinuousClock.now - start < .milliseconds(1300) {
                    let sent = ContinuousClock.now
                    #expect(client.roundTrip())
                    longest = max(longest, ContinuousClock.now - sent)
                }
                #expect(longest >= .milliseconds(100), "longest round trip \(longest)")
                proxy.stopSchedule()
                #expect(client.roundTrip())
            }
        }
    }
}
