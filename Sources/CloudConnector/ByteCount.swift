/// Sizes as people write them in flags and env vars: "536870912", "512MiB", "1 GiB", "500MB".
/// Binary units (KiB, MiB, GiB, TiB) are powers of 1024, SI units (KB, MB, GB, TB) powers of 1000,
/// so "1GB" never silently means 1 GiB. Units are case-insensitive.
public enum ByteCount {
    static let units: [(suffix: String, factor: Int64)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("b", 1),
    ]

    /// The byte count, or nil when the text is not a whole number with an optional known unit, or
    /// when it overflows.
    public static func parse(_ text: String) -> Int64? {
        let lowered = text.trimmingSpaces().lowercased()
        var digits = Substring(lowered)
        var factor: Int64 = 1
        for unit in units where lowered.hasSuffix(unit.suffix) {
            digits = lowered.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        let number = String(digits).trimmingSpaces()
        guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let value = Int64(number) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// "512 MiB", "1.5 GiB", "900 B": for people reading output, never parsed back.
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var index = 0
        while abs(value) >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        if index == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
        return "\(text) \(units[index])"
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
