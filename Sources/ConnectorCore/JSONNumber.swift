/// A JSON number kept as its literal text, so "1.50" is re-sent as "1.50" and money never passes
/// through binary floating point unless a caller asks for `double`.
public struct JSONNumber: Sendable, Hashable {
    /// Exactly the RFC 8259 number text. Equality compares this text: "1.0" != "1".
    public let literal: String

    /// nil unless `literal` is one valid RFC 8259 number with nothing around it.
    public init?(literal: String) {
        var text = literal
        let isValid = text.withUTF8 { utf8 -> Bool in
            let bytes = UnsafeRawBufferPointer(utf8)
            guard let end = try? NumberGrammar.scan(bytes, from: 0) else { return false }
            return end == bytes.count
        }
        guard isValid else { return nil }
        self.literal = literal
    }

    public init(_ value: Int64) {
        literal = String(value)
    }

    /// For texts already checked against `NumberGrammar`.
    init(validatedLiteral: String) {
        literal = validatedLiteral
    }

    /// Only for plain integer literals (no fraction, no exponent) that fit.
    public var int64: Int64? {
        for byte in literal.utf8 where byte == ASCII.dot || byte == ASCII.lowerE || byte == ASCII.upperE {
            return nil
        }
        return Int64(literal)
    }

    /// The nearest Double; out-of-range magnitudes become ±infinity or ±0.
    public var double: Double {
        Double(literal) ?? 0
    }

    /// The value in millionths computed exactly from the decimal literal, no binary floating point:
    /// "0.0123" -> 12300, "2" -> 2000000, "1.5e-3" -> 1500, "-0.25" -> -250000. Beyond 6 decimals it
    /// rounds half to even ("0.0000005" -> 0, "0.0000015" -> 2). nil when the result does not fit Int64.
    public var micros: Int64? {
        DecimalLiteral(literal).scaled(byPowerOfTen: 6, requireExact: false)
    }

    /// The value as an integer when it is mathematically whole ("3", "3.0", "3e2"), else nil.
    /// Peers serialize counters from floats ("1500.0"), and those are still whole numbers.
    var wholeNumber: Int64? {
        DecimalLiteral(literal).scaled(byPowerOfTen: 0, requireExact: true)
    }
}

extension JSONNumber: CustomStringConvertible {
    public var description: String { literal }
}
