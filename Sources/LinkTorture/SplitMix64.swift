import ConnectorCore

/// A run's choices (kill moments and targets, faults, the load's mix) come from the seed it prints,
/// so a failing run can be tried again with `--seed`. Timing still varies from run to run: a seed
/// replays the choices, not the interleaving.
extension SplitMix64 {
    /// An independent generator for one worker, so workers do not share (and race on) one state.
    func derived(_ index: UInt64) -> SplitMix64 {
        var copy = self
        var derived = SplitMix64(seed: copy.next() ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = derived.next()
        return derived
    }

    mutating func milliseconds(_ range: ClosedRange<Int>) -> Duration {
        .milliseconds(Int.random(in: range, using: &self))
    }
}
