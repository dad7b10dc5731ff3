/// FNV-1a 64: chosen because it is tiny, has no dependencies and is stable across processes and
/// platforms (unlike `Hasher`, which is seeded per process), so fingerprints can be persisted.
enum FNV1a64 {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* prime
        }
        return hash
    }
}
