/// The shape of one backoff schedule (R10). Delays use full jitter: attempt n waits a uniformly
/// random time below `min(cap, base · 2ⁿ)`, so a fleet of devices cut off at once does not come
/// back in lockstep; `floor` lifts the lower end for schedules that must never retry quickly.
public struct BackoffPolicy: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    /// The shortest delay; zero for pure full jitter.
    public var floor: Duration
    /// A connection that stayed up this long proves the cloud healthy again: attempts restart at 0.
    public var resetAfter: Duration

    public init(base: Duration, cap: Duration, floor: Duration = .zero, resetAfter: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
        self.floor = floor
        self.resetAfter = resetAfter
    }

    /// R10's defaults for reconnects after a network failure: base 0.5 s, cap 60 s.
    public static let reconnect = BackoffPolicy(base: .milliseconds(500), cap: .seconds(60))

    /// For refusals that retrying soon cannot fix: 401/403 from the token endpoint, `tenant_mismatch`,
    /// `protocol_unsupported`, a `connect_ack` for another tenant. An operator has to act, so the
    /// device never asks again within 5 s, and once the ceilings (15 s, 30 s, 60 s, …) reach the
    /// 5-minute cap it waits 5 s to 5 min (2.5 min on average): no tight loop against a cloud that
    /// said no, yet it notices within minutes when an operator fixes the device's access.
    public static let refused = BackoffPolicy(base: .seconds(15), cap: .seconds(300), floor: .seconds(5))
}
