import ConnectorCore

/// Cuts after intervals drawn from a range, from a seeded generator.
struct CutSchedule {
    let reset: Bool
    private let range: ClosedRange<Int64>
    private var random: SplitMix64
    private(set) var next: ContinuousClock.Instant

    init(every range: ClosedRange<Duration>, seed: UInt64, reset: Bool, now: ContinuousClock.Instant) {
        self.reset = reset
        self.range = range.lowerBound.nanoseconds...range.upperBound.nanoseconds
        random = SplitMix64(seed: seed)
        next = now
        next = now + nextInterval()
    }

    /// The interval before the next cut: uniform in the range, to the nanosecond.
    mutating func nextInterval() -> Duration {
        .nanoseconds(Int64.random(in: range, using: &random))
    }

    /// Called when `next` has passed: the following cut is one interval from `now`.
    mutating func advance(now: ContinuousClock.Instant) { next = now + nextInterval() }
}

/// Forwards for `every - stall`, then stalls for `stall`, over and over.
struct StallSchedule {
    let direction: Direction
    private let stall: Duration
    private let every: Duration
    private(set) var stalling = false
    private(set) var next: ContinuousClock.Instant

    init(stall: Duration, every: Duration, direction: Direction, now: ContinuousClock.Instant) {
        self.stall = stall
        self.every = every
        self.direction = direction
        next = now + (every - stall)
    }

    /// The directions the schedule holds stalled right now.
    var stalled: Direction { stalling ? direction : [] }

    /// Called when `next` has passed: switches phase.
    mutating func advance(now: ContinuousClock.Instant) {
        stalling.toggle()
        next = now + (stalling ? stall : every - stall)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating (a refusal "for ever" must not trap).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).overflow
            ? .max : whole + attoseconds / 1_000_000_000
    }
}
