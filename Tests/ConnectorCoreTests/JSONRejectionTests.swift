import ConnectorCore
import Testing

@Suite struct JSONRejectionTests {
    @Test(arguments: [
        ("", 0, "unexpected end of input, expected a value"),
        ("   ", 3, "unexpected end of input, expected a value"),
        ("[1,]", 3, "unexpected ']', expected a value"),
        ("[1 2]", 3, "expected ',' or ']' after array element"),
        ("[1", 2, "unexpected end of input in array"),
        (#"{"a" 1}"#, 5, "expected ':' after object key"),
        (#"{"a":1,}"#, 7, "expected a string as object key"),
        ("{a:1}", 1, "expected a string as object key"),
        (#"{"a":1 "b":2}"#, 7, "expected ',' or '}' after object member"),
        (#"{"a":1"#, 6, "unexpected end of input in object"),
        (#"{"x":1,"x":2}"#, 7, #"duplicate key "x""#),
        (#"{"a":{"b":1,"b":1}}"#, 12, #"duplicate key "b""#),
        ("1 2", 2, "unexpected '2' after the JSON value"),
        ("{} x", 3, "unexpected 'x' after the JSON value"),
        ("tru", 0, "invalid literal, expected true"),
        ("nul", 0, "invalid literal, expected null"),
        ("True", 0, "unexpected 'T', expected a value"),
        ("NaN", 0, "unexpected 'N', expected a value"),
        ("'a'", 0, "unexpected ''', expected a value"),
        ("\u{0B}1", 0, "unexpected byte 0x0B, expected a value"),
        ("\u{A0}1", 0, "unexpected byte 0xC2, expected a value"),
        ("\"abc", 4, "unterminated string"),
        ("\"a\tb\"", 2, "control character in string must be escaped"),
        ("\"a\nb\"", 2, "control character in string must be escaped"),
        (#""\x""#, 2, #"invalid escape \'x' in string"#),
        (#""\u12G4""#, 5, #"expected 4 hex digits after \u"#),
        (#""\u12""#, 3, #"expected 4 hex digits after \u"#),
        (#""\ud800""#, 1, #"lone high surrogate in \u escape"#),
        (#""\ud800x""#, 1, #"lone high surrogate in \u escape"#),
        (#""\ud800\u0041""#, 1, "high surrogate not followed by a low surrogate"),
        (#""\udc00""#, 1, #"lone low surrogate in \u escape"#),
        ("-", 1, "expected a digit in number"),
        ("-a", 1, "expected a digit in number"),
        ("01", 1, "leading zeros are not allowed in numbers"),
        ("-01", 2, "leading zeros are not allowed in numbers"),
        ("1.", 2, "expected a digit after '.' in number"),
        (".5", 0, "unexpected '.', expected a value"),
        ("1e", 2, "expected a digit in number exponent"),
        ("1e+", 3, "expected a digit in number exponent"),
        ("+1", 0, "unexpected '+', expected a value"),
        ("\u{FEFF}{}", 0, "unexpected byte 0xEF, expected a value"),
    ])
    func rejectsWithOffsetAndReason(text: String, offset: Int, reason: String) {
        let error = parseError(text)
        #expect(error == JSONParseError(offset: offset, reason: reason), "input: \(text)")
    }

    @Test func describesTheError() {
        let error = JSONParseError(offset: 5, reason: "expected ':' after object key")
        #expect(error.description == "invalid JSON at byte 5: expected ':' after object key")
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],  // never valid
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xC3, 0x22],  // truncated sequence
        [0x22, 0x80, 0x22],  // stray continuation byte
        [0x22, 0xE2, 0x82],  // truncated at end of input
        [0x22, 0x5C, 0x6E, 0xF8, 0x22],  // invalid after an escape (slow path)
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        let error = parseError(bytes: bytes)
        #expect(error?.reason == "invalid UTF-8")
    }

    @Test func acceptsEveryUTF8Length() throws {
        let bytes: [UInt8] = [0x22, 0x41, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]
        #expect(try JSON.parse(bytes) == "Aé€😀")
    }

    @Test func deepNestingThrowsInsteadOfCrashing() {
        let arrays = String(repeating: "[", count: 10_000)
        #expect(parseError(arrays) == JSONParseError(offset: 64, reason: "nesting deeper than 64 levels"))
        let objects = String(repeating: #"{"a":"#, count: 10_000)
        #expect(parseError(objects)?.reason == "nesting deeper than 64 levels")
        // The parser keeps open containers on a heap stack, so a generous limit still cannot overflow.
        let deepButAllowed = String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000)
        #expect(parseError(deepButAllowed, maxDepth: 1_000_000) == nil)
    }

    @Test func zeroMaxDepthAllowsOnlyScalars() {
        #expect(parseError("1", maxDepth: 0) == nil)
        #expect(parseError("[]", maxDepth: 0)?.reason == "nesting deeper than 0 levels")
    }
}
