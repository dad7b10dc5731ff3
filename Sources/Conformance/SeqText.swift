/// Seqs as a report names them: runs collapse (`1..3`), gaps show (`1, 2, 5`).
enum SeqText {
    static func list(_ seqs: [Int64]) -> String {
        let sorted = Array(Set(seqs)).sorted()
        guard !sorted.isEmpty else { return "none" }
        var parts: [String] = []
        var start = sorted[0]
        var end = start
        for seq in sorted.dropFirst() {
            if seq == end + 1 {
                end = seq
                continue
            }
            parts.append(run(start, end))
            start = seq
            end = seq
        }
        parts.append(run(start, end))
        return parts.joined(separator: ", ")
    }

    /// Three or more in a row read as a range; two stay a pair, which reads better than `1..2`.
    private static func run(_ start: Int64, _ end: Int64) -> String {
        switch end - start {
        case 0: "\(start)"
        case 1: "\(start), \(end)"
        default: "\(start)..\(end)"
        }
    }
}
