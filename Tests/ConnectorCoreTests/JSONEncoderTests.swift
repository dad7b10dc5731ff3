import ConnectorCore
import Testing

@Suite struct JSONEncoderTests {
    @Test func encodesCompactly() {
        let value: JSONValue = ["a": [1, true, false, nil, "s"], "b": [:], "c": []]
        #expect(encodedText(value) == #"{"a":[1,true,false,null,"s"],"b":{},"c":[]}"#)
    }

    @Test func escapesQuotesBackslashesAndControls() {
        let value = JSONValue.string("q\" b\\ / n\n r\r t\t b\u{8} f\u{C} nul\u{0} us\u{1F} del\u{7F} é😀")
        #expect(encodedText(value) == #""q\" b\\ / n\n r\r t\t b\b f\f nul\u0000 us\u001f del"# + "\u{7F} é😀\"")
    }

    @Test func encodeStringAppends() {
        var buffer = Array("x=".utf8)
        JSON.encodeString("a\"b", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"x="a\"b""#)
    }

    @Test func encodeIntoAppends() {
        var buffer = Array("[".utf8)
        JSON.encode(["k": 1], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"[{"k":1}"#)
    }

    @Test func prettyUsesTwoSpaceIndent() throws {
        let value: JSONValue = ["a": 1, "b": [true, ["c": nil]], "d": [], "e": [:]]
        let expected = """
            {
              "a": 1,
              "b": [
                true,
                {
                  "c": null
                }
              ],
              "d": [],
              "e": {}
            }
            """
        #expect(JSON.encodePretty(value) == expected)
        #expect(JSON.encodePretty("x") == "\"x\"")
        #expect(try JSON.parse(JSON.encodePretty(value)) == value)
    }

    @Test func descriptionIsCompactJSON() {
        let value: JSONValue = ["a": [1, "b"]]
        #expect(value.description == #"{"a":[1,"b"]}"#)
    }
}
