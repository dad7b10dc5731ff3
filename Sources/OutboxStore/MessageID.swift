/// A message's stable id (PROTOCOL §2): a random (version 4) UUID, kept as 16 bytes in the store and
/// written as lower-case UUID text on the wire.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Stands in only where a damaged row's id cannot be read; the schema's CHECKs keep it from
    /// ever being stored.
    public static let zero = MessageID(bytes: [UInt8](repeating: 0, count: 16))!

    public static func random() -> MessageID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<2).flatMap { _ -> [UInt8] in
            let word = generator.next() as UInt64
            return (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return MessageID(bytes: bytes)!
    }

    /// Parses UUID text (any case, with hyphens at the usual places).
    public init?(string: String) {
        let hex = Array(string.utf8)
        guard hex.count == 36, hex[8] == 45, hex[13] == 45, hex[18] == 45, hex[23] == 45 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var high: UInt8?
        for char in hex where char != 45 {
            guard let nibble = MessageID.nibble(char) else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(45) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 48...57: return char - 48
        case 97...102: return char - 87
        case 65...70: return char - 55
        default: return nil
        }
    }
}
