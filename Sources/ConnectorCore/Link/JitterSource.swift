/// A seeded pseudo-random source (SplitMix64) for backoff jitter. The shell seeds it once from the
/// system generator; tests seed it with constants, so every schedule the core produces replays
/// exactly. Jitter only needs to decorrelate devices, not to be unpredictable.
public struct JitterSource: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Uniform in `0..<1` from the top 53 bits, so every value is exactly representable.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
