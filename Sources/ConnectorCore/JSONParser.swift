/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// It is iterative (an explicit stack of open containers, not recursion), so no input depth can
/// exhaust the call stack; `maxDepth` bounds how deep the resulting value may be.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// One open container. Both collections stay empty (unallocated) for the kind not in use.
    private struct OpenContainer {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members = JSONObject()
        var pendingKey = ""
        var pendingKeyOffset = 0
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        var open: [OpenContainer] = []
        skipWhitespace()
        while true {
            var value: JSONValue
            guard index < bytes.count else { throw failure("unexpected end of input, expected a value") }
            switch bytes[index] {
            case ASCII.openBrace:
                try checkDepth(open.count)
                index += 1
                skipWhitespace()
                if index < bytes.count && bytes[index] == ASCII.closeBrace {
                    index += 1
                    value = .object(JSONObject())
                } else {
                    open.append(OpenContainer(isObject: true))
                    try readKey(into: &open[open.count - 1])
                    continue
                }
            case ASCII.openBracket:
                try checkDepth(open.count)
                index += 1
                skipWhitespace()
                if index < bytes.count && bytes[index] == ASCII.closeBracket {
                    index += 1
                    value = .array([])
                } else {
                    open.append(OpenContainer(isObject: false))
                    continue
                }
            case ASCII.quote:
                value = .string(try readString())
            case ASCII.lowerT:
                try expectLiteral("true")
                value = .bool(true)
            case 0x66:  // f
                try expectLiteral("false")
                value = .bool(false)
            case 0x6E:  // n
                try expectLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = .number(try readNumber())
            case let byte:
                throw failure("unexpected \(ASCII.describe(byte)), expected a value")
            }

            // Hand the finished value to its container; closing a container finishes another value.
            while true {
                skipWhitespace()
                guard let last = open.indices.last else {
                    guard index == bytes.count else {
                        throw failure("unexpected \(ASCII.describe(bytes[index])) after the JSON value")
                    }
                    return value
                }
                if open[last].isObject {
                    let key = open[last].pendingKey
                    guard open[last].members.insertNew(key: key, value: value) else {
                        var quoted: [UInt8] = []
                        JSON.encodeString(key, into: &quoted)
                        throw JSONParseError(
                            offset: open[last].pendingKeyOffset,
                            reason: "duplicate key " + String(decoding: quoted, as: UTF8.self))
                    }
                    guard index < bytes.count else { throw failure("unexpected end of input in object") }
                    if bytes[index] == ASCII.comma {
                        index += 1
                        skipWhitespace()
                        try readKey(into: &open[last])
                        break
                    }
                    guard bytes[index] == ASCII.closeBrace else {
                        throw failure("expected ',' or '}' after object member")
                    }
                    index += 1
                    value = .object(open.removeLast().members)
                } else {
                    open[last].elements.append(value)
                    guard index < bytes.count else { throw failure("unexpected end of input in array") }
                    if bytes[index] == ASCII.comma {
                        index += 1
                        skipWhitespace()
                        break
                    }
                    guard bytes[index] == ASCII.closeBracket else {
                        throw failure("expected ',' or ']' after array element")
                    }
                    index += 1
                    value = .array(open.removeLast().elements)
                }
            }
        }
    }

    private func checkDepth(_ openCount: Int) throws(JSONParseError) {
        guard openCount < maxDepth else {
            throw failure("nesting deeper than \(maxDepth) levels")
        }
    }

    /// Reads `"key"` and the ':' after it, leaving the index at the member's value.
    private mutating func readKey(into container: inout OpenContainer) throws(JSONParseError) {
        guard index < bytes.count else { throw failure("unexpected end of input, expected an object key") }
        guard bytes[index] == ASCII.quote else { throw failure("expected a string as object key") }
        container.pendingKeyOffset = index
        container.pendingKey = try readString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == ASCII.colon else {
            throw failure("expected ':' after object key")
        }
        index += 1
        skipWhitespace()
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let length = word.utf8CodeUnitCount
        guard bytes.count - index >= length else {
            throw JSONParseError(offset: start, reason: "invalid literal, expected \(word)")
        }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] {
            throw JSONParseError(offset: start, reason: "invalid literal, expected \(word)")
        }
        index += length
    }

    private mutating func readNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        index = try NumberGrammar.scan(bytes, from: start)
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(validatedLiteral: literal)
    }

    func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }
}
