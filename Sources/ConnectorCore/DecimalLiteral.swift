/// A validated number literal taken apart as sign × digits × 10^exponent, for exact decimal scaling
/// (money in micro-units, whole-number checks) without binary floating point.
struct DecimalLiteral {
    private var isNegative = false
    /// Significant decimal digits (values 0...9) without leading zeros; empty means zero.
    private var digits: [UInt8] = []
    /// Saturated at ±exponentLimit, so hostile exponents like "1e99999999999999999999" cannot overflow.
    private var exponent = 0

    private static let exponentLimit = 1_000_000_000

    init(_ literal: String) {
        var fractionLength = 0
        var explicitExponent = 0
        var exponentIsNegative = false
        var inFraction = false
        var inExponent = false
        for byte in literal.utf8 {
            switch byte {
            case ASCII.minus where inExponent: exponentIsNegative = true
            case ASCII.minus: isNegative = true
            case ASCII.plus: break
            case ASCII.dot: inFraction = true
            case ASCII.lowerE, ASCII.upperE: inExponent = true
            case ASCII.zero...ASCII.nine:
                let digit = byte &- ASCII.zero
                if inExponent {
                    if explicitExponent < Self.exponentLimit {
                        explicitExponent = explicitExponent * 10 + Int(digit)
                    }
                } else {
                    if inFraction { fractionLength += 1 }
                    if !digits.isEmpty || digit != 0 { digits.append(digit) }
                }
            default: break
            }
        }
        let signedExponent = exponentIsNegative ? -explicitExponent : explicitExponent
        let (combined, overflow) = signedExponent.subtractingReportingOverflow(fractionLength)
        exponent = overflow ? -Self.exponentLimit : Self.clamp(combined)
    }

    /// The value × 10^power as Int64, rounded half to even, or nil when it does not fit. With
    /// `requireExact` it is also nil when rounding would be needed.
    func scaled(byPowerOfTen power: Int, requireExact: Bool) -> Int64? {
        guard !digits.isEmpty else { return 0 }
        let shift = Self.clamp(exponent + power)
        var magnitude: UInt64 = 0
        if shift >= 0 {
            // digits has no leading zero, so more than 19 extra zeros always overflows.
            guard shift <= 19 else { return nil }
            for digit in digits {
                guard let next = Self.appendDigit(digit, to: magnitude) else { return nil }
                magnitude = next
            }
            for _ in 0..<shift {
                guard let next = Self.appendDigit(0, to: magnitude) else { return nil }
                magnitude = next
            }
        } else {
            let keptCount = digits.count + shift
            if keptCount > 0 {
                for digit in digits[..<keptCount] {
                    guard let next = Self.appendDigit(digit, to: magnitude) else { return nil }
                    magnitude = next
                }
            }
            let dropped = digits[max(keptCount, 0)...]
            let droppedIsZero = dropped.allSatisfy { $0 == 0 }
            if requireExact && !droppedIsZero { return nil }
            // With keptCount < 0 the first dropped position is an implicit 0, so it rounds down.
            if keptCount >= 0, let first = dropped.first {
                let restIsZero = dropped.dropFirst().allSatisfy { $0 == 0 }
                let roundsUp = first > 5 || (first == 5 && (!restIsZero || magnitude & 1 == 1))
                if roundsUp {
                    let (next, overflow) = magnitude.addingReportingOverflow(1)
                    guard !overflow else { return nil }
                    magnitude = next
                }
            }
        }
        return Self.signed(magnitude, negative: isNegative)
    }

    private static func appendDigit(_ digit: UInt8, to value: UInt64) -> UInt64? {
        let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
        return overflow1 || overflow2 ? nil : sum
    }

    private static func signed(_ magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private static func clamp(_ value: Int) -> Int {
        min(max(value, -exponentLimit), exponentLimit)
    }
}
