/// The HC half of a thread's compression cache: one working HC state plus the (dictionary,
/// level) templates this thread has prepared. Separate from the fast-mode cache so threads that
/// never use HC never pay for its 256 KiB states.
final class HCCompressionScratch {
    /// Each entry is a 256 KiB template, so fewer than the fast path's: two cover a dictionary
    /// rotation at one level, and the whole scratch stays under 1 MiB per thread.
    private static let capacity = 2

    let working = LZ4HCStreamState()
    private var prepared = RecentlyUsedList<PreparedHCDictionary>(capacity: HCCompressionScratch.capacity)

    /// Keyed by fingerprint, length and level, for the same reason as the fast-mode cache:
    /// comparing the dictionary's bytes per message would cost more than the copy it saves.
    func prepared(for dictionary: LZ4Dictionary, level: Int32) -> PreparedHCDictionary {
        prepared.element(where: { $0.matches(dictionary, level: level) }) {
            PreparedHCDictionary(dictionary, level: level)
        }
    }
}
