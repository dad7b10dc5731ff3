extension JSONParser {
    /// Reads a string starting at its opening quote. Strings without escapes (nearly all of them) are
    /// validated in place and copied once; only escapes pay for an intermediate buffer.
    mutating func readString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.quote {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == ASCII.backslash {
                return try readEscapedString(from: start)
            }
            if byte < 0x20 { throw failure("control character in string must be escaped") }
            if byte < 0x80 {
                index += 1
            } else {
                index += try UTF8Validation.sequenceLength(in: bytes, at: index)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func readEscapedString(from start: Int) throws(JSONParseError) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(index - start + 16)
        utf8.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.quote {
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                try readEscape(into: &utf8)
            } else if byte < 0x20 {
                throw failure("control character in string must be escaped")
            } else if byte < 0x80 {
                utf8.append(byte)
                index += 1
            } else {
                let length = try UTF8Validation.sequenceLength(in: bytes, at: index)
                utf8.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + length]))
                index += length
            }
        }
        throw failure("unterminated string")
    }

    /// Reads one escape starting at its backslash and appends what it stands for.
    private mutating func readEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw failure("unterminated string") }
        let replacement: UInt8
        switch bytes[index] {
        case ASCII.quote: replacement = ASCII.quote
        case ASCII.backslash: replacement = ASCII.backslash
        case ASCII.slash: replacement = ASCII.slash
        case 0x62: replacement = 0x08  // b
        case 0x66: replacement = 0x0C  // f
        case 0x6E: replacement = ASCII.lineFeed  // n
        case 0x72: replacement = ASCII.carriageReturn  // r
        case ASCII.lowerT: replacement = ASCII.tab
        case ASCII.lowerU:
            index += 1
            let scalar = try readUnicodeEscape(escapeStart: escapeStart)
            utf8.append(contentsOf: scalar.utf8)
            return
        case let other:
            throw failure("invalid escape \\\(ASCII.describe(other)) in string")
        }
        utf8.append(replacement)
        index += 1
    }

    /// Reads the hex digits after `\u` (and a second `\uXXXX` for a surrogate pair).
    private mutating func readUnicodeEscape(escapeStart: Int) throws(JSONParseError) -> Unicode.Scalar {
        let first = try readHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard bytes.count - index >= 2, bytes[index] == ASCII.backslash, bytes[index + 1] == ASCII.lowerU else {
                throw JSONParseError(offset: escapeStart, reason: "lone high surrogate in \\u escape")
            }
            index += 2
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONParseError(offset: escapeStart, reason: "high surrogate not followed by a low surrogate")
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else {
                throw JSONParseError(offset: escapeStart, reason: "invalid surrogate pair")
            }
            return scalar
        case 0xDC00...0xDFFF:
            throw JSONParseError(offset: escapeStart, reason: "lone low surrogate in \\u escape")
        default:
            guard let scalar = Unicode.Scalar(first) else {
                throw JSONParseError(offset: escapeStart, reason: "invalid \\u escape")
            }
            return scalar
        }
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("expected 4 hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = ASCII.hexValue(bytes[index]) else {
                throw failure("expected 4 hex digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
