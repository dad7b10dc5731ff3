/// Durations as people write them: "30d", "12h", "90m", "45s", "250ms" (one whole number and one
/// unit). Used for retention periods and for relative times such as `--since 2h`.
public enum DurationText {
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Milliseconds, or nil when the text is not `<digits><unit>` or overflows. Zero is allowed.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces().lowercased()
        // "ms" before "s" and "m": the longest matching suffix wins.
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(unit.suffix) {
            let number = String(trimmed.dropLast(unit.suffix.count)).trimmingSpaces()
            guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let value = Int64(number) else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit.milliseconds)
            return overflow ? nil : product
        }
        return nil
    }

    /// "3d 4h", "2h 5m", "4m 10s", "12s", "850ms": the two largest units, for ages and durations.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds < 0 { return "-" + format(milliseconds: -milliseconds) }
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1_000
        let parts: [(Int64, String)] = [
            (seconds / 86_400, "d"), (seconds / 3_600 % 24, "h"), (seconds / 60 % 60, "m"), (seconds % 60, "s"),
        ]
        guard let first = parts.firstIndex(where: { $0.0 > 0 }) else { return "0s" }
        if first == parts.count - 1 {
            // Under a minute, tenths of a second still matter (a step that took 1.4 s).
            let tenths = milliseconds / 100
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let next = parts[first + 1]
        let head = "\(parts[first].0)\(parts[first].1)"
        return next.0 > 0 ? "\(head) \(next.0)\(next.1)" : head
    }
}
