/// Exponential backoff with full jitter that never gives up (R10). A value type: the caller keeps
/// it, passes the randomness in, and tells it when a connection proved stable.
public struct Backoff: Sendable, Equatable {
    public var policy: BackoffPolicy
    /// Delays handed out since the last reset; the next delay's ceiling is `ceiling(attempt:)` of it.
    public private(set) var attempt = 0

    public init(policy: BackoffPolicy = .reconnect) {
        self.policy = policy
    }

    /// `min(cap, base · 2ⁿ)`, computed without overflow for any n.
    public func ceiling(attempt n: Int) -> Duration {
        let base = max(policy.base.saturatingNanoseconds, 0)
        let cap = max(policy.cap.saturatingNanoseconds, 0)
        guard n >= 0 else { return .nanoseconds(min(base, cap)) }
        if n >= 62 || base > cap >> n { return .nanoseconds(cap) }
        return .nanoseconds(min(cap, base << n))
    }

    /// The next delay, in `[min(floor, ceiling), ceiling)` where ceiling is `ceiling(attempt:)`.
    /// `random` is a uniform draw from `0..<1`; values outside (or NaN) are clamped into it.
    public mutating func nextDelay(random: Double) -> Duration {
        let ceiling = ceiling(attempt: attempt).saturatingNanoseconds
        if attempt < Int.max { attempt += 1 }
        let lower = min(max(policy.floor.saturatingNanoseconds, 0), ceiling)
        let span = ceiling - lower
        guard span > 0 else { return .nanoseconds(ceiling) }
        let unit = random >= 0 ? min(random, 1.0.nextDown) : 0
        let scaled = Double(span) * unit
        // Rounding can carry the product up to `span` itself; the interval is half-open.
        let offset = scaled >= Double(span) ? span - 1 : min(Int64(scaled), span - 1)
        return .nanoseconds(lower + offset)
    }

    public mutating func nextDelay(using jitter: inout JitterSource) -> Duration {
        nextDelay(random: jitter.nextUnit())
    }

    public mutating func reset() {
        attempt = 0
    }

    /// Resets when the connection that just ended stayed up at least `policy.resetAfter`; a link
    /// that flaps right after connecting keeps growing its delays.
    public mutating func connectionEnded(afterStayingUp uptime: Duration) {
        if uptime >= policy.resetAfter { reset() }
    }
}
