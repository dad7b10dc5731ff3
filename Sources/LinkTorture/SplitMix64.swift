/// SplitMix64: tiny and fully determined by its seed, so a run's choices (kill moments and targets,
/// faults, the load's mix) come from the seed it prints and a failing run can be tried again with
/// `--seed`. Timing still varies from run to run: a seed replays the choices, not the interleaving.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent generator for one worker, so workers do not share (and race on) one state.
    func derived(_ index: UInt64) -> SplitMix64 {
        var copy = SplitMix64(seed: state ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = copy.next()
        return copy
    }

    mutating func milliseconds(_ range: ClosedRange<Int>) -> Duration {
        .milliseconds(Int.random(in: range, using: &self))
    }
}
