import ConnectorCore
import Testing

@Suite struct JSONNumberTests {
    @Test(arguments: ["0", "-0", "5", "-5", "1.50", "0.0123", "1e3", "1E+3", "-2.5e-10", "123456789012345678901234567890"])
    func acceptsValidLiterals(literal: String) {
        #expect(JSONNumber(literal: literal)?.literal == literal)
    }

    @Test(arguments: ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", " 1", "1 ", "0x10", "NaN", "Infinity", "1.5.5", "--1", "١"])
    func rejectsInvalidLiterals(literal: String) {
        #expect(JSONNumber(literal: literal) == nil)
    }

    @Test func preservesTheLiteralThroughParseAndEncode() throws {
        let value = try JSON.parse(#"{"a":1.50,"b":1e3,"c":-0,"d":0.10000000000000000001}"#)
        #expect(value["a"]?.numberValue?.literal == "1.50")
        #expect(encodedText(value) == #"{"a":1.50,"b":1e3,"c":-0,"d":0.10000000000000000001}"#)
    }

    @Test func int64OnlyForPlainIntegersInRange() {
        #expect(JSONNumber(literal: "42")?.int64 == 42)
        #expect(JSONNumber(literal: "-0")?.int64 == 0)
        #expect(JSONNumber(literal: "9223372036854775807")?.int64 == Int64.max)
        #expect(JSONNumber(literal: "-9223372036854775808")?.int64 == Int64.min)
        #expect(JSONNumber(literal: "9223372036854775808")?.int64 == nil)
        #expect(JSONNumber(literal: "1.0")?.int64 == nil)
        #expect(JSONNumber(literal: "1e3")?.int64 == nil)
        #expect(JSONNumber(Int64.min).literal == "-9223372036854775808")
    }

    @Test func doubleValue() {
        #expect(JSONNumber(literal: "0.5")?.double == 0.5)
        #expect(JSONNumber(literal: "-1e3")?.double == -1000)
        #expect(JSONNumber(literal: "1e400")?.double == .infinity)
    }

    @Test(arguments: [
        ("0.0123", 12_300), ("2", 2_000_000), ("1.5e-3", 1_500), ("-0.25", -250_000),
        ("0", 0), ("-0", 0), ("0e999999999999999999999", 0), ("1.50", 1_500_000),
        ("0.000001", 1), ("12.345678", 12_345_678), ("1E2", 100_000_000), ("0.1e1", 1_000_000),
        ("0.0000005", 0), ("0.0000015", 2), ("0.0000025", 2), ("0.00000251", 3), ("0.0000004999", 0),
        ("-0.0000005", 0), ("-0.0000015", -2), ("0.00000050000000001", 1), ("5e-7", 0), ("1.5e-6", 2),
        ("0.00000006", 0), ("1e-999999999999", 0),
        ("9223372036854.775807", Int64.max), ("-9223372036854.775808", Int64.min),
        ("9223372036854.7758074", Int64.max),
    ] as [(String, Int64)])
    func microsAreExactAndRoundHalfToEven(literal: String, expected: Int64) {
        #expect(JSONNumber(literal: literal)?.micros == expected, "literal \(literal)")
    }

    @Test(arguments: ["9223372036854.775808", "-9223372036854.775809", "1e13", "1e99999999999999999999", "9223372036854.7758075"])
    func microsAreNilWhenOutOfRange(literal: String) {
        #expect(JSONNumber(literal: literal)?.micros == nil, "literal \(literal)")
    }

    @Test func equalityIsByLiteral() {
        #expect(JSONNumber(literal: "1.0") != JSONNumber(literal: "1"))
        #expect(JSONNumber(literal: "7") == JSONNumber(7))
    }
}
