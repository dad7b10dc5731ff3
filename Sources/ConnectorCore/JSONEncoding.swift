extension JSON {
    /// Compact JSON (no spaces): numbers by their literal, object keys in stored order.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        encode(value, into: &buffer)
        return buffer
    }

    public static func encode(_ value: JSONValue, into buffer: inout [UInt8]) {
        switch value {
        case .null:
            appendASCII("null", to: &buffer)
        case .bool(let flag):
            appendASCII(flag ? "true" : "false", to: &buffer)
        case .number(let number):
            buffer.append(contentsOf: number.literal.utf8)
        case .string(let text):
            encodeString(text, into: &buffer)
        case .array(let elements):
            buffer.append(ASCII.openBracket)
            for (position, element) in elements.enumerated() {
                if position > 0 { buffer.append(ASCII.comma) }
                encode(element, into: &buffer)
            }
            buffer.append(ASCII.closeBracket)
        case .object(let object):
            buffer.append(ASCII.openBrace)
            var first = true
            for (key, member) in object {
                if !first { buffer.append(ASCII.comma) }
                first = false
                encodeString(key, into: &buffer)
                buffer.append(ASCII.colon)
                encode(member, into: &buffer)
            }
            buffer.append(ASCII.closeBrace)
        }
    }

    /// Appends `value` as a quoted JSON string: `"` `\` and control characters escaped (short forms
    /// where JSON has them, else \u00XX); everything else, including non-ASCII, as raw UTF-8.
    public static func encodeString(_ value: String, into buffer: inout [UInt8]) {
        buffer.append(ASCII.quote)
        var text = value
        text.withUTF8 { utf8 in
            // Copy unescaped runs in bulk rather than byte by byte.
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else { continue }
                if runStart < position {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                }
                appendEscape(for: byte, to: &buffer)
                runStart = position + 1
            }
            if runStart < utf8.count {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        buffer.append(ASCII.quote)
    }

    private static func appendEscape(for byte: UInt8, to buffer: inout [UInt8]) {
        buffer.append(ASCII.backslash)
        switch byte {
        case ASCII.quote, ASCII.backslash: buffer.append(byte)
        case ASCII.lineFeed: buffer.append(0x6E)  // n
        case ASCII.carriageReturn: buffer.append(0x72)  // r
        case ASCII.tab: buffer.append(ASCII.lowerT)
        case 0x08: buffer.append(0x62)  // b
        case 0x0C: buffer.append(0x66)  // f
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            buffer.append(contentsOf: [ASCII.lowerU, ASCII.zero, ASCII.zero])
            buffer.append(hexDigits.utf8Start[Int(byte >> 4)])
            buffer.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }

    static func appendASCII(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
