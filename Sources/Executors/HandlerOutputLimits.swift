/// Caps on what a handler may send back, so a runaway handler cannot exhaust memory or produce an
/// outbox message the store would refuse (PROTOCOL R3).
public struct HandlerOutputLimits: Sendable, Equatable {
    /// All of stdout (or the whole HTTP response body); more → `output_too_large`.
    public var maxOutputBytes: Int
    /// One JSON line; a longer one → `output_too_large` (or `result_too_large` for a `result` line).
    public var maxLineBytes: Int
    /// The `result` value, compactly encoded; more → `result_too_large`.
    public var maxResultBytes: Int

    public init(maxOutputBytes: Int = 4 << 20, maxLineBytes: Int = 1 << 20, maxResultBytes: Int = 1 << 20) {
        self.maxOutputBytes = maxOutputBytes
        self.maxLineBytes = maxLineBytes
        self.maxResultBytes = maxResultBytes
    }
}
