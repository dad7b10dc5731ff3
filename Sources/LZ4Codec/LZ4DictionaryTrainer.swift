/// Builds block-compression dictionaries from sample messages. Used offline by a tool that feeds it
/// generated, realistic protocol messages; the result ships with the product.
///
/// Size note: liblz4's fast mode indexes a loaded dictionary into a 4096-slot hash table (every
/// third position, later positions overwriting earlier ones), so beyond about 16 KiB extra
/// dictionary bytes mostly evict each other; measured ratios are flat from 16 to 64 KiB.
public enum LZ4DictionaryTrainer {
    /// Builds a dictionary (at most `capacity` bytes, and never more than the 64 KiB LZ4 can
    /// reference) from the substrings that occur in the most samples, each chosen at most once.
    /// The most useful content is placed LAST: that is what survives if the dictionary is ever
    /// cut to a smaller window, and what a match reaches with the shortest offset.
    /// Deterministic for the same input.
    public static func train(samples: [[UInt8]], capacity: Int) -> [UInt8] {
        let budget = min(capacity, LZ4Dictionary.maximumSize)
        guard budget > 0, !samples.isEmpty else { return [] }
        let index = DmerIndex(samples: samples)
        var selector = SegmentSelector(index: index, sampleCount: samples.count)
        let segments = selector.select(budget: budget)

        // Stable sort: equal scores keep selection order, so the output does not depend on the
        // sort algorithm's tie handling.
        let ordered = segments.enumerated().sorted { lhs, rhs in
            (lhs.element.score, lhs.offset) < (rhs.element.score, rhs.offset)
        }
        var dictionary: [UInt8] = []
        for (_, segment) in ordered {
            dictionary.append(contentsOf: index.corpus[segment.range])
        }
        // The last pick may overshoot the budget; what goes is the head, the least useful part.
        return dictionary.count > budget ? Array(dictionary.suffix(budget)) : dictionary
    }
}
