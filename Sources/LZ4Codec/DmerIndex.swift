/// Every position of the training corpus labelled with a dense id for the `length`-byte substring
/// ("d-mer") starting there, plus how many distinct samples contain each d-mer. Dense ids let the
/// segment scan use flat arrays instead of hashing in its inner loop.
struct DmerIndex {
    /// Short enough that a JSON key or a common word is one d-mer, long enough (over LZ4's 4-byte
    /// minimum match) that a covered d-mer is worth a match.
    static let length = 8

    /// All samples back to back.
    let corpus: [UInt8]
    /// Start offset of each sample in `corpus`, plus a final entry equal to `corpus.count`.
    let sampleBounds: [Int]
    /// D-mer id at each corpus position, or -1 where fewer than `length` bytes of the sample remain.
    let ids: [Int32]
    /// Number of samples in which each d-mer occurs at least once.
    let sampleFrequency: [Int32]

    init(samples: [[UInt8]]) {
        var corpus: [UInt8] = []
        corpus.reserveCapacity(samples.reduce(0) { $0 + $1.count })
        var bounds = [0]
        for sample in samples {
            corpus.append(contentsOf: sample)
            bounds.append(corpus.count)
        }

        var ids = [Int32](repeating: -1, count: corpus.count)
        var idByValue: [UInt64: Int32] = [:]
        var frequency: [Int32] = []
        var lastSample: [Int] = []
        let length = Self.length
        for sampleIndex in 0..<samples.count {
            let end = bounds[sampleIndex + 1]
            var position = bounds[sampleIndex]
            while position + length <= end {
                let value = Self.pack(corpus, at: position)
                let id: Int32
                if let known = idByValue[value] {
                    id = known
                } else {
                    // Ids follow first occurrence in the corpus, never dictionary iteration order,
                    // so training is deterministic across runs.
                    id = Int32(frequency.count)
                    idByValue[value] = id
                    frequency.append(0)
                    lastSample.append(-1)
                }
                ids[position] = id
                if lastSample[Int(id)] != sampleIndex {
                    lastSample[Int(id)] = sampleIndex
                    frequency[Int(id)] += 1
                }
                position += 1
            }
        }
        self.corpus = corpus
        self.sampleBounds = bounds
        self.ids = ids
        self.sampleFrequency = frequency
    }

    var distinctCount: Int { sampleFrequency.count }

    /// Up to 8 bytes fit exactly in a UInt64, so distinct d-mers never collide.
    private static func pack(_ bytes: [UInt8], at position: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<length {
            value |= UInt64(bytes[position + offset]) << (8 * UInt64(offset))
        }
        return value
    }
}
