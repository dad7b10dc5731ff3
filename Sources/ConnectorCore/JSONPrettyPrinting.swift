extension JSON {
    /// Two-space indented JSON with `"key": value`, for people reading CLI output. Empty containers
    /// stay on one line (`[]`, `{}`).
    public static func encodePretty(_ value: JSONValue) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        encodePretty(value, indent: 0, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func encodePretty(_ value: JSONValue, indent: Int, into buffer: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            buffer.append(ASCII.openBracket)
            for (position, element) in elements.enumerated() {
                if position > 0 { buffer.append(ASCII.comma) }
                newline(indent: indent + 1, into: &buffer)
                encodePretty(element, indent: indent + 1, into: &buffer)
            }
            newline(indent: indent, into: &buffer)
            buffer.append(ASCII.closeBracket)
        case .object(let object) where !object.isEmpty:
            buffer.append(ASCII.openBrace)
            var first = true
            for (key, member) in object {
                if !first { buffer.append(ASCII.comma) }
                first = false
                newline(indent: indent + 1, into: &buffer)
                encodeString(key, into: &buffer)
                buffer.append(ASCII.colon)
                buffer.append(ASCII.space)
                encodePretty(member, indent: indent + 1, into: &buffer)
            }
            newline(indent: indent, into: &buffer)
            buffer.append(ASCII.closeBrace)
        default:
            encode(value, into: &buffer)
        }
    }

    private static func newline(indent: Int, into buffer: inout [UInt8]) {
        buffer.append(ASCII.lineFeed)
        buffer.append(contentsOf: repeatElement(ASCII.space, count: indent * 2))
    }
}
