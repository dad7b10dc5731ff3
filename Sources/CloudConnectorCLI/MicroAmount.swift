/// Money as the ledger keeps it, integer millionths, written as a decimal string without ever
/// passing through floating point: 12500 -> "0.0125", 3000000 -> "3.00", 1234567 -> "1.234567".
/// At least two decimals (people expect "3.00"), trailing zeros beyond that trimmed.
enum MicroAmount {
    static func format(_ micros: Int64) -> String {
        let magnitude = micros.magnitude
        let whole = magnitude / 1_000_000
        var fraction = String(magnitude % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return (micros < 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
