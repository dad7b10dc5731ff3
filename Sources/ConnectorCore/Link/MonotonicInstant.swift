/// A point on the shell's monotonic clock, in nanoseconds from an arbitrary origin.
///
/// The link's state machines never read a clock: the shell passes "now" into every event, so tests
/// can drive hours of timeouts in microseconds and a wall-clock jump can never fire a timer (R10).
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = MonotonicInstant(nanoseconds: 0)

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Saturates instead of trapping: a huge configured timeout must mean "never", not a crash.
    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.saturatingNanoseconds)
        if overflow { return MonotonicInstant(nanoseconds: rhs < .zero ? .min : .max) }
        return MonotonicInstant(nanoseconds: sum)
    }

    /// The time from `rhs` to `lhs`; negative when `lhs` is earlier.
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        let (difference, overflow) = lhs.nanoseconds.subtractingReportingOverflow(rhs.nanoseconds)
        if overflow { return .nanoseconds(lhs < rhs ? Int64.min : Int64.max) }
        return .nanoseconds(difference)
    }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, clamped to Int64 (about ±292 years).
    public var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }

    /// Whole milliseconds, for texts people read.
    var wholeMilliseconds: Int64 {
        saturatingNanoseconds / 1_000_000
    }
}
