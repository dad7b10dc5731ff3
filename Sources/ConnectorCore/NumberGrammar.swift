/// RFC 8259 §6 number grammar, shared by the parser and `JSONNumber(literal:)` so both accept
/// exactly the same texts:  `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
enum NumberGrammar {
    /// Scans one number starting at `start` and returns the index just past it. It stops at the first
    /// byte that cannot continue the number; the caller decides whether that byte is allowed there.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONParseError) -> Int {
        let end = bytes.count
        var index = start
        if index < end && bytes[index] == ASCII.minus { index += 1 }
        guard index < end, ASCII.isDigit(bytes[index]) else {
            throw JSONParseError(offset: index, reason: "expected a digit in number")
        }
        if bytes[index] == ASCII.zero {
            index += 1
            if index < end && ASCII.isDigit(bytes[index]) {
                throw JSONParseError(offset: index, reason: "leading zeros are not allowed in numbers")
            }
        } else {
            index = skipDigits(bytes, from: index)
        }
        if index < end && bytes[index] == ASCII.dot {
            index += 1
            guard index < end, ASCII.isDigit(bytes[index]) else {
                throw JSONParseError(offset: index, reason: "expected a digit after '.' in number")
            }
            index = skipDigits(bytes, from: index)
        }
        if index < end && (bytes[index] == ASCII.lowerE || bytes[index] == ASCII.upperE) {
            index += 1
            if index < end && (bytes[index] == ASCII.plus || bytes[index] == ASCII.minus) { index += 1 }
            guard index < end, ASCII.isDigit(bytes[index]) else {
                throw JSONParseError(offset: index, reason: "expected a digit in number exponent")
            }
            index = skipDigits(bytes, from: index)
        }
        return index
    }

    private static func skipDigits(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count && ASCII.isDigit(bytes[index]) { index += 1 }
        return index
    }
}
