/// Well-formed UTF-8 per Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF.
enum UTF8Validation {
    /// The length of the well-formed multi-byte sequence starting at `start` (whose first byte is
    /// >= 0x80), or an error at `start`.
    static func sequenceLength(in bytes: UnsafeRawBufferPointer, at start: Int) throws(JSONParseError) -> Int {
        let lead = bytes[start]
        let length: Int
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: length = 2; secondRange = 0x80...0xBF
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; secondRange = 0x80...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4; secondRange = 0x80...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw invalid(at: start)
        }
        guard bytes.count - start >= length, secondRange.contains(bytes[start + 1]) else {
            throw invalid(at: start)
        }
        for offset in 2..<length where bytes[start + offset] & 0xC0 != 0x80 {
            throw invalid(at: start)
        }
        return length
    }

    private static func invalid(at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, reason: "invalid UTF-8")
    }
}
