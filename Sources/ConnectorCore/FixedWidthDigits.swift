/// Reading and writing the zero-padded decimal fields of RFC 3339 timestamps.
enum FixedWidthDigits {
    /// The value of exactly `count` ASCII digits at `start`, or nil if any is missing or not a digit.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, count: Int) -> Int? {
        guard start >= 0, count >= 0, bytes.count - start >= count else { return nil }
        var value = 0
        for position in start..<start + count {
            let byte = bytes[position]
            guard ASCII.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte &- ASCII.zero)
        }
        return value
    }

    /// Appends `value` zero-padded to `width` digits; callers pass values in 0..<10^width.
    static func append(_ value: Int, width: Int, to buffer: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            buffer.append(ASCII.zero &+ UInt8(truncatingIfNeeded: (remaining / divisor) % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
