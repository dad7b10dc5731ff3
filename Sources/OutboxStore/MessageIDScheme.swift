/// Derives a message's id from its seq and a random per-store salt (PROTOCOL §2: fixed when the
/// message is appended, the same on every resend).
///
/// The id needs no column and no index: the mapping seq → id is a bijection for a given salt, so
/// ids are unique within the store, and the salt (random per store, 128 bits) keeps stores apart —
/// a store rebuilt after a loss continues above the cloud's ack (R7) with a new salt anyway.
/// Layout: bytes 0–7 come from the salt (with the UUID version 4 nibble), bytes 8–15 are a 62-bit
/// permutation of (seq ^ salt) with the RFC 4122 variant bits on top.
public struct MessageIDScheme: Sendable, Equatable {
    let high: UInt64
    let key: UInt64

    public init(salt: [UInt8]) {
        precondition(salt.count == 16, "the id salt is 16 bytes")
        var high: UInt64 = 0
        var key: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(salt[index])
            key = key << 8 | UInt64(salt[index + 8])
        }
        self.high = (high & ~0x0000_0000_0000_F000) | 0x0000_0000_0000_4000  // version 4
        self.key = key
    }

    public static func randomSalt() -> [UInt8] {
        MessageID.random().bytes
    }

    public func id(forSeq seq: Int64) -> MessageID {
        let low = (Self.permute62(UInt64(seq) ^ key) & Self.mask62) | 0x8000_0000_0000_0000  // variant 10
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            bytes[index + 8] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
        return MessageID(bytes: bytes)!
    }

    /// The id a stored row carries: its own (salvaged) one, or the derived one.
    func id(forSeq seq: Int64, explicit: [UInt8]?) -> MessageID {
        explicit.flatMap(MessageID.init(bytes:)) ?? id(forSeq: seq)
    }

    /// The seq this store derived `id` from, or nil when `id` is not one of its derived ids (another
    /// store's, or a random one). Salvage uses it so a message whose id this store already gave out
    /// is recognised, not stored twice under one id.
    func seq(forDerived id: MessageID) -> Int64? {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(id.bytes[index])
            low = low << 8 | UInt64(id.bytes[index + 8])
        }
        guard high == self.high, low >> 62 == 0b10 else { return nil }
        let seq = (Self.unpermute62(low & Self.mask62) ^ key) & Self.mask62
        guard seq > 0, self.id(forSeq: Int64(seq)) == id else { return nil }
        return Int64(seq)
    }

    static let mask62: UInt64 = (1 << 62) - 1

    /// A bijection on 62-bit values: xor-shifts and multiplications by odd constants, all modulo 2^62
    /// (the steps of SplitMix64's finaliser, restricted to 62 bits). Seqs are far below 2^62.
    static func permute62(_ value: UInt64) -> UInt64 {
        var z = value & mask62
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9 & mask62
        z = (z ^ (z >> 29)) &* 0x94D0_49BB_1331_11EB & mask62
        return z ^ (z >> 32)
    }

    /// The inverse of `permute62`: each xor-shift undone by shifting again (a shift of k undoes in
    /// ceil(62 / k) - 1 steps), each multiplication by the odd constant's inverse modulo 2^62.
    static func unpermute62(_ value: UInt64) -> UInt64 {
        var z = value & mask62
        z ^= z >> 32
        z = z &* inverse(0x94D0_49BB_1331_11EB) & mask62
        z ^= (z >> 29) ^ (z >> 58)
        z = z &* inverse(0xBF58_476D_1CE4_E5B9) & mask62
        z ^= z >> 31
        return z & mask62
    }

    /// The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration), which is also its
    /// inverse modulo 2^62.
    static func inverse(_ odd: UInt64) -> UInt64 {
        var inverse = odd  // correct to 3 bits for any odd number
        for _ in 0..<5 { inverse = inverse &* (2 &- odd &* inverse) }
        return inverse
    }
}
