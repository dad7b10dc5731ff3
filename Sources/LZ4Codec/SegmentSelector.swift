/// Greedy coverage selection over a `DmerIndex`: repeatedly takes the fixed-size window whose
/// not-yet-covered d-mers occur in the most samples, then marks those d-mers covered so the same
/// content is never chosen twice.
///
/// Scanning the whole corpus for every pick would be quadratic, so the corpus is cut into epochs
/// and each pass takes the best window of every epoch; passes repeat until the budget is spent or
/// nothing useful remains.
struct SegmentSelector {
    /// Long enough to hold a JSON key with its punctuation and a typical value prefix.
    static let segmentLength = 64

    struct Segment {
        let range: Range<Int>
        let score: Int
    }

    private let index: DmerIndex
    /// Value of each d-mer still uncovered; zeroed once a chosen segment contains it.
    private var weights: [Int]
    /// Occurrences of each d-mer inside the current window, so a d-mer repeated within one window
    /// is only counted once.
    private var inWindow: [Int32]

    init(index: DmerIndex, sampleCount: Int) {
        self.index = index
        // A d-mer seen in a single sample says nothing about the next message; with only one
        // sample there is nothing better to go on.
        let minimumFrequency = Int32(min(2, sampleCount))
        weights = index.sampleFrequency.map { $0 >= minimumFrequency ? Int($0) : 0 }
        inWindow = [Int32](repeating: 0, count: index.distinctCount)
    }

    mutating func select(budget: Int) -> [Segment] {
        let corpusCount = index.corpus.count
        guard budget > 0, corpusCount > 0 else { return [] }
        let epochCount = max(1, min(budget / (4 * Self.segmentLength), corpusCount / Self.segmentLength))
        let epochSize = (corpusCount + epochCount - 1) / epochCount

        var chosen: [Segment] = []
        var used = 0
        while used < budget {
            var progressed = false
            var epochStart = 0
            while epochStart < corpusCount && used < budget {
                let epoch = epochStart..<min(epochStart + epochSize, corpusCount)
                if let best = bestSegment(in: epoch) {
                    cover(best.range)
                    chosen.append(best)
                    used += best.range.count
                    progressed = true
                }
                epochStart += epochSize
            }
            if !progressed { break }
        }
        return chosen
    }

    /// The highest-scoring window starting inside `epoch`, trimmed to its first and last useful
    /// d-mer; nil when every window there is worthless. Ties keep the earliest, for determinism.
    private mutating func bestSegment(in epoch: Range<Int>) -> Segment? {
        var best: Segment?
        var sample = sampleContaining(epoch.lowerBound)
        var start = epoch.lowerBound
        while start < epoch.upperBound {
            let sampleEnd = index.sampleBounds[sample + 1]
            let windowsEnd = min(epoch.upperBound, sampleEnd)
            if let candidate = bestWindow(starts: start..<windowsEnd, sampleEnd: sampleEnd),
                candidate.score > (best?.score ?? 0)
            {
                best = candidate
            }
            start = windowsEnd
            sample += 1
        }
        return best.map(trimmed)
    }

    /// Slides a window over one sample, adding each d-mer as it enters and removing it as it
    /// leaves, so each position costs O(1).
    private mutating func bestWindow(starts: Range<Int>, sampleEnd: Int) -> Segment? {
        let last = sampleEnd - DmerIndex.length  // last position whose d-mer fits in the sample
        guard starts.lowerBound <= last else { return nil }
        let span = Self.segmentLength - DmerIndex.length  // window start to its last d-mer position
        var score = 0
        var best: Segment?
        var entered = starts.lowerBound  // next position to add to the window
        var exited = starts.lowerBound  // next position to remove from the window
        for start in starts.lowerBound...min(starts.upperBound - 1, last) {
            let windowLast = min(start + span, last)
            while entered <= windowLast {
                score += add(index.ids[entered])
                entered += 1
            }
            if score > (best?.score ?? 0) {
                best = Segment(range: start..<(windowLast + DmerIndex.length), score: score)
            }
            score -= remove(index.ids[start])
            exited = start + 1
        }
        // Leave the counters at zero for the next scan.
        for position in exited..<entered {
            _ = remove(index.ids[position])
        }
        return best
    }

    private mutating func add(_ id: Int32) -> Int {
        let slot = Int(id)
        inWindow[slot] += 1
        return inWindow[slot] == 1 ? weights[slot] : 0
    }

    private mutating func remove(_ id: Int32) -> Int {
        let slot = Int(id)
        inWindow[slot] -= 1
        return inWindow[slot] == 0 ? weights[slot] : 0
    }

    /// Drops leading and trailing bytes that only carry worthless d-mers.
    private func trimmed(_ segment: Segment) -> Segment {
        let lastStart = segment.range.upperBound - DmerIndex.length
        var first = segment.range.lowerBound
        while first < lastStart && weights[Int(index.ids[first])] == 0 { first += 1 }
        var last = lastStart
        while last > first && weights[Int(index.ids[last])] == 0 { last -= 1 }
        return Segment(range: first..<(last + DmerIndex.length), score: segment.score)
    }

    private mutating func cover(_ range: Range<Int>) {
        for position in range.lowerBound...(range.upperBound - DmerIndex.length) {
            weights[Int(index.ids[position])] = 0
        }
    }

    private func sampleContaining(_ position: Int) -> Int {
        // Upper bound of `position` in the bounds array, minus one.
        var low = 0
        var high = index.sampleBounds.count - 1
        while low < high {
            let mid = (low + high) / 2
            if index.sampleBounds[mid + 1] <= position { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
