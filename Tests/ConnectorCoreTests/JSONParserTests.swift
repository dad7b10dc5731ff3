import ConnectorCore
import Testing

@Suite struct JSONParserTests {
    @Test func parsesATypicalEnvelope() throws {
        let text = """
            {"type": "execution_event", "id": "8c1f", "ts": "2026-11-24T10:00:00.123Z", "seq": 42,
             "payload": {"ok": true, "none": null, "list": [1, -2.5, "x"], "nested": {}}}
            """
        let value = try JSON.parse(text)
        #expect(value["type"] == "execution_event")
        #expect(value["seq"]?.numberValue?.int64 == 42)
        #expect(value["payload"]?["ok"] == true)
        #expect(value["payload"]?["none"] == JSONValue.null)
        #expect(value["payload"]?["list"] == [1, .number(JSONNumber(literal: "-2.5")!), "x"])
        #expect(value["payload"]?["nested"] == .object(JSONObject()))
        #expect(value["missing"] == nil)
        #expect(value["payload"]?["list"]?["x"] == nil)
    }

    @Test(arguments: [
        ("0", JSONValue.number(JSONNumber(0))), ("true", .bool(true)), ("false", .bool(false)),
        ("null", .null), ("\"s\"", .string("s")), ("[]", .array([])), ("{}", .object(JSONObject())),
        (" \t\r\n[ 1 , 2 ]\n ", [1, 2]),
    ] as [(String, JSONValue)])
    func parsesAnyTopLevelValue(text: String, expected: JSONValue) throws {
        #expect(try JSON.parse(text) == expected)
    }

    @Test func keepsObjectKeyOrderAsParsed() throws {
        let value = try JSON.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(encodedText(value) == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func decodesEveryEscape() throws {
        let value = try JSON.parse(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20AC \u0000""#)
        #expect(value == .string("\" \\ / \u{8} \u{C} \n \r \t A é € \u{0}"))
    }

    @Test func combinesSurrogatePairs() throws {
        #expect(try JSON.parse(#""\ud83d\ude00""#) == "😀")
        #expect(try JSON.parse(#""a\uD834\uDD1Eb""#) == "a𝄞b")
    }

    @Test func keepsRawUTF8() throws {
        #expect(try JSON.parse("\"héllo wörld 日本 😀\"") == "héllo wörld 日本 😀")
        #expect(try JSON.parse("\"esc\\n 日本\"") == "esc\n 日本")
    }

    @Test func parsesFromBytesAndRawBuffers() throws {
        let bytes = Array(#"{"a":[1,2]}"#.utf8)
        let fromArray = try JSON.parse(bytes)
        let fromRaw = try bytes.withUnsafeBytes { raw in try JSON.parse(raw) }
        #expect(fromArray == fromRaw)
        #expect(fromArray["a"] == [1, 2])
    }

    @Test func acceptsNestingUpToMaxDepth() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(parseError(deep) == nil)
        let custom = String(repeating: "{\"a\":", count: 5) + "1" + String(repeating: "}", count: 5)
        #expect(parseError(custom, maxDepth: 5) == nil)
        #expect(parseError(custom, maxDepth: 4)?.reason == "nesting deeper than 4 levels")
    }

    @Test func acceptsManyKeysAndElements() throws {
        let members = (0..<2000).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let value = try JSON.parse("{" + members + "}")
        #expect(value.objectValue?.count == 2000)
        #expect(value["k1999"]?.numberValue?.int64 == 1999)
        let elements = Array(repeating: "null", count: 5000).joined(separator: ",")
        #expect(try JSON.parse("[" + elements + "]").arrayValue?.count == 5000)
    }
}
