/// A block-compression dictionary: bytes that logically precede every compressed message, so
/// that the first occurrence of a common key or value in a small message can still be a match.
public struct LZ4Dictionary: Sendable, Hashable {
    /// LZ4 offsets are 16-bit, so only the last 64 KiB before the data can ever be referenced.
    public static let maximumSize = 64 * 1024

    public let bytes: [UInt8]
    /// FNV-1a 64 of `bytes`: identifies the dictionary in caches and stored rows without hashing
    /// or comparing 64 KiB on every call.
    public let fingerprint: UInt64

    /// Keeps only the last `maximumSize` bytes: trained dictionaries put their most useful content
    /// last, and anything earlier would be out of reach of an LZ4 offset anyway.
    public init(bytes: [UInt8]) {
        let kept = bytes.count > Self.maximumSize ? Array(bytes.suffix(Self.maximumSize)) : bytes
        self.bytes = kept
        self.fingerprint = FNV1a64.hash(kept)
    }

    public static func == (lhs: LZ4Dictionary, rhs: LZ4Dictionary) -> Bool {
        lhs.fingerprint == rhs.fingerprint && lhs.bytes == rhs.bytes
    }

    // The fingerprint already summarises the bytes; hashing 64 KiB again would be wasted work.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }
}
