import Foundation

/// Wall-clock time for created_at stamps and retention. Injected so tests control time; timers that
/// must survive clock jumps use a monotonic clock instead (the link's state machines).
public protocol WallClock: Sendable {
    func nowMilliseconds() -> Int64
}

public struct SystemWallClock: WallClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
