import ConnectorCore
import Testing

/// parse(encode(v)) == v for random values, including awkward strings and number literals.
@Suite struct JSONRoundTripPropertyTests {
    @Test func twoThousandRandomValuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 0x5EED_C0DE)
        for iteration in 0..<2000 {
            let value = randomValue(depth: 0, using: &generator)
            let encoded = JSON.encode(value)
            let decoded = try JSON.parse(encoded)
            #expect(decoded == value, "iteration \(iteration)")
            #expect(JSON.encode(decoded) == encoded, "iteration \(iteration): encoding is not stable")
            #expect(try JSON.parse(JSON.encodePretty(value)) == value, "iteration \(iteration): pretty")
        }
    }

    private func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let kind = depth >= 5 ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<6, using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(randomNumber(using: &generator))
        case 3: return .string(randomString(using: &generator))
        case 4:
            let count = Int.random(in: 0..<5, using: &generator)
            return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    private func randomNumber(using generator: inout SeededGenerator) -> JSONNumber {
        var literal = Bool.random(using: &generator) ? "-" : ""
        literal += Bool.random(using: &generator) ? "0" : String(UInt64.random(in: 1...UInt64.max, using: &generator))
        if Bool.random(using: &generator) {
            literal += "." + String(UInt32.random(in: 0...UInt32.max, using: &generator))
        }
        if Int.random(in: 0..<4, using: &generator) == 0 {
            literal += ["e", "E", "e+", "e-"].randomElement(using: &generator) ?? "e"
            literal += String(Int.random(in: 0...400, using: &generator))
        }
        return JSONNumber(literal: literal) ?? JSONNumber(0)
    }

    private func randomString(using generator: inout SeededGenerator) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
            "é", "ß", "€", "日", "\u{FFFF}", "\u{10000}", "😀", "\u{10FFFF}", "\u{2028}",
        ]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0..<12, using: &generator) {
            text.append(pool.randomElement(using: &generator) ?? "a")
        }
        return String(text)
    }
}
