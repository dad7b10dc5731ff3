import ConnectorCore
import Testing

@Suite struct JSONObjectTests {
    @Test func keepsInsertionOrder() {
        var object = JSONObject()
        object["b"] = 1
        object["a"] = 2
        object["c"] = 3
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.count == 3)
        #expect(object.map(\.key) == ["b", "a", "c"])
    }

    @Test func replacingKeepsThePositionAndNilRemoves() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["a"] == nil)
        object["missing"] = nil
        #expect(object.count == 2)
    }

    @Test func dictionaryLiteralKeepsWrittenOrder() {
        let value: JSONValue = ["zeta": 1, "alpha": [true, nil], "mid": ["x": "y"]]
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(encodedText(value) == #"{"zeta":1,"alpha":[true,null],"mid":{"x":"y"}}"#)
    }

    @Test func entriesInitializerLastValueWinsAtFirstPosition() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func equalityIgnoresKeyOrder() {
        let first: JSONObject = ["a": 1, "b": 2]
        let second: JSONObject = ["b": 2, "a": 1]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != ["a": 1, "b": 3])
        #expect(first != ["a": 1])
        #expect(Set<JSONValue>([.object(first), .object(second)]).count == 1)
    }

    @Test func largeObjectsStayConsistentAcrossEdits() {
        var object = JSONObject()
        for number in 0..<100 { object["k\(number)"] = .number(JSONNumber(Int64(number))) }
        for number in stride(from: 0, to: 100, by: 3) { object["k\(number)"] = nil }
        object["k1"] = "replaced"
        #expect(object.count == 66)
        #expect(object["k1"] == "replaced")
        #expect(object["k3"] == nil)
        #expect(object["k98"] == 98)
        #expect(object.keys.first == "k1")
        for number in 0..<100 where number % 3 != 0 && number != 1 {
            #expect(object["k\(number)"] == .number(JSONNumber(Int64(number))))
        }
        while let key = object.keys.first { object[key] = nil }
        #expect(object.isEmpty)
        object["again"] = true
        #expect(object.keys == ["again"])
    }
}
