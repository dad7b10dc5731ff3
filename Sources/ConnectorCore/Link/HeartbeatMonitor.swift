/// R9 for one connection: a `heartbeat` every interval, and a stale verdict when no frame of any
/// kind has arrived for 3 intervals. The shell arms one timer at `nextDeadline` and calls `tick`.
public struct HeartbeatMonitor: Sendable, Equatable {
    public static let staleAfterIntervals = 3
    /// Shorter intervals from a peer are raised to this, so a bad `connect_ack` cannot make the
    /// shell spin on its timer.
    public static let minimumInterval = Duration.milliseconds(100)

    public enum Action: Sendable, Equatable {
        case none
        case sendHeartbeat
        /// Close with 4408 and reconnect; the monitor has stopped.
        case closeStale(silentFor: Duration)
    }

    public private(set) var interval: Duration
    public private(set) var lastFrameAt: MonotonicInstant?
    public private(set) var nextHeartbeatAt: MonotonicInstant?

    public init(interval: Duration = ConnectAck.defaultHeartbeatInterval) {
        self.interval = max(interval, Self.minimumInterval)
    }

    public var isRunning: Bool { lastFrameAt != nil }

    /// The connection is live at `at` (`connect_ack` arrived); `interval` replaces the current one.
    /// The connect_ack counts as the first frame, and the first heartbeat is due one interval later.
    public mutating func connected(at now: MonotonicInstant, interval: Duration? = nil) {
        if let interval { self.interval = max(interval, Self.minimumInterval) }
        lastFrameAt = now
        nextHeartbeatAt = now + self.interval
    }

    /// Any frame, of any type, valid or not: the peer is alive.
    public mutating func frameReceived(at now: MonotonicInstant) {
        guard let last = lastFrameAt else { return }
        lastFrameAt = max(last, now)
    }

    public mutating func stop() {
        lastFrameAt = nil
        nextHeartbeatAt = nil
    }

    public var staleDeadline: MonotonicInstant? {
        // Saturating Int64 arithmetic: the standard library's generic `Duration * Int` is very slow
        // unspecialised (debug builds), and this runs on every tick.
        let (span, overflow) = interval.saturatingNanoseconds.multipliedReportingOverflow(by: Int64(Self.staleAfterIntervals))
        return lastFrameAt.map { $0 + .nanoseconds(overflow ? Int64.max : span) }
    }

    /// The earliest instant at which `tick` has something to do; nil when stopped.
    public var nextDeadline: MonotonicInstant? {
        guard let stale = staleDeadline, let heartbeat = nextHeartbeatAt else { return nil }
        return min(stale, heartbeat)
    }

    /// At most one action per call. Staleness wins when both are due: a heartbeat into a dead
    /// connection helps no one.
    public mutating func tick(now: MonotonicInstant) -> Action {
        guard let last = lastFrameAt, let stale = staleDeadline, let due = nextHeartbeatAt else { return .none }
        if now >= stale {
            stop()
            return .closeStale(silentFor: now - last)
        }
        guard now >= due else { return .none }
        // Keep the cadence when the tick is a little late; skip missed beats when it is very late,
        // rather than sending a burst.
        let next = due + interval
        nextHeartbeatAt = next > now ? next : now + interval
        return .sendHeartbeat
    }
}
