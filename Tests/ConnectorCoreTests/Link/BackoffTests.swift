import ConnectorCore
import Testing

/// R10: exponential backoff with full jitter, never giving up, reset after a stable connection.
@Suite struct BackoffTests {
    @Test func defaultPoliciesAreDocumented() {
        #expect(BackoffPolicy.reconnect == BackoffPolicy(base: .milliseconds(500), cap: .seconds(60), floor: .zero, resetAfter: .seconds(30)))
        #expect(BackoffPolicy.refused == BackoffPolicy(base: .seconds(15), cap: .seconds(300), floor: .seconds(5), resetAfter: .seconds(30)))
    }

    @Test(arguments: [
        (0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (6, 32.0), (7, 60.0), (8, 60.0), (62, 60.0),
        (63, 60.0), (1000, 60.0), (Int.max, 60.0),
    ])
    func ceilingDoublesUpToTheCap(attempt: Int, expectedSeconds: Double) {
        #expect(Backoff().ceiling(attempt: attempt) == seconds(expectedSeconds))
    }

    @Test func fixedRandomsGiveExactDelays() {
        var backoff = Backoff()
        #expect(backoff.nextDelay(random: 0) == .zero)
        #expect(backoff.attempt == 1)
        #expect(backoff.nextDelay(random: 0.5) == .milliseconds(500))  // half of 1 s
        #expect(backoff.nextDelay(random: 0.25) == .milliseconds(500))  // a quarter of 2 s
        #expect(backoff.nextDelay(random: 0.999) == .nanoseconds(3_996_000_000))
        #expect(backoff.attempt == 4)
    }

    @Test(arguments: [1.0, 1.5, Double.infinity, 0.9999999999999999])
    func randomAtOrAboveOneStaysBelowTheCeiling(random: Double) {
        var backoff = Backoff()
        let delay = backoff.nextDelay(random: random)
        #expect(delay < .milliseconds(500))
        #expect(delay >= .milliseconds(499))
    }

    @Test(arguments: [-0.5, -Double.infinity, Double.nan])
    func negativeOrNaNRandomIsZero(random: Double) {
        var backoff = Backoff()
        #expect(backoff.nextDelay(random: random) == .zero)
    }

    /// Full jitter: every delay of a long run lies in [0, min(cap, base·2ⁿ)), and the run never
    /// gives up.
    @Test(arguments: [UInt64(1), 2, 3, 0xDEAD_BEEF])
    func seededSequenceStaysWithinBounds(seed: UInt64) {
        var backoff = Backoff()
        var jitter = JitterSource(seed: seed)
        var sawLargeDelay = false
        for attempt in 0..<10_000 {
            let ceiling = backoff.ceiling(attempt: attempt)
            let delay = backoff.nextDelay(using: &jitter)
            #expect(delay >= .zero && delay < ceiling, "attempt \(attempt): \(delay) not below \(ceiling)")
            if delay > .seconds(30) { sawLargeDelay = true }
        }
        #expect(backoff.attempt == 10_000)
        #expect(sawLargeDelay, "capped delays still spread up to the cap")
    }

    @Test func floorLiftsTheLowerEnd() {
        var backoff = Backoff(policy: .refused)
        var jitter = JitterSource(seed: 99)
        for attempt in 0..<200 {
            let ceiling = backoff.ceiling(attempt: attempt)
            let delay = backoff.nextDelay(using: &jitter)
            #expect(delay >= .seconds(5) && delay < ceiling)
        }
        #expect(backoff.ceiling(attempt: 0) == .seconds(15))
        #expect(backoff.ceiling(attempt: 5) == .seconds(300))
        var fresh = Backoff(policy: .refused)
        #expect(fresh.nextDelay(random: 0) == .seconds(5))
    }

    @Test func floorAboveTheCeilingWaitsTheCeiling() {
        var backoff = Backoff(policy: BackoffPolicy(base: .seconds(1), cap: .seconds(2), floor: .seconds(10)))
        #expect(backoff.nextDelay(random: 0.7) == .seconds(1))
    }

    @Test func degeneratePoliciesDoNotTrap() {
        var zero = Backoff(policy: BackoffPolicy(base: .zero, cap: .zero))
        #expect(zero.nextDelay(random: 0.5) == .zero)
        var capBelowBase = Backoff(policy: BackoffPolicy(base: .seconds(10), cap: .seconds(1)))
        #expect(capBelowBase.ceiling(attempt: 0) == .seconds(1))
        #expect(capBelowBase.nextDelay(random: 0.5) == .milliseconds(500))
        var huge = Backoff(policy: BackoffPolicy(base: .seconds(Int64.max / 2), cap: .seconds(Int64.max)))
        _ = huge.nextDelay(random: 0.999)
        #expect(huge.ceiling(attempt: 100) > .zero)
    }

    @Test func resetStartsOver() {
        var backoff = Backoff()
        for _ in 0..<6 { _ = backoff.nextDelay(random: 0.5) }
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.nextDelay(random: 0.5) == .milliseconds(250))
    }

    @Test(arguments: [(29.999, 4), (30.0, 0), (3600.0, 0), (0.0, 4)])
    func resetOnlyAfterAStableConnection(uptime: Double, expectedAttempt: Int) {
        var backoff = Backoff()
        for _ in 0..<4 { _ = backoff.nextDelay(random: 0.5) }
        backoff.connectionEnded(afterStayingUp: seconds(uptime))
        #expect(backoff.attempt == expectedAttempt)
    }

    @Test func jitterSourceIsDeterministicAndUniformish() {
        var first = JitterSource(seed: 42)
        var second = JitterSource(seed: 42)
        var sum = 0.0
        for _ in 0..<10_000 {
            let value = first.nextUnit()
            #expect(value == second.nextUnit())
            #expect(value >= 0 && value < 1)
            sum += value
        }
        #expect(abs(sum / 10_000 - 0.5) < 0.02)
    }
}
