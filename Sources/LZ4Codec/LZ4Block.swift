internal import CLZ4

/// Raw LZ4 blocks (no frame, no checksum) for individual outbox payloads. A block does not record
/// its own length or dictionary, so the caller stores the original size and the dictionary's
/// fingerprint alongside it.
public enum LZ4Block {
    /// Fast mode: the per-append cost matters more than the last few percent of ratio.
    static let acceleration: Int32 = 1

    /// LZ4 block compression (fast mode, acceleration 1), optionally with a dictionary.
    /// Returns nil when the output would not be smaller than the input (caller then stores it raw).
    /// Thread-safe and callable concurrently from many threads/tasks.
    public static func compress(_ input: UnsafeRawBufferPointer, dictionary: LZ4Dictionary?) -> [UInt8]? {
        // Capping the output one byte below the input makes liblz4 give up early on data that
        // will not shrink, instead of producing an expanded block we would discard.
        guard let source = input.baseAddress, input.count > 1, input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            return nil
        }
        let capacity = input.count - 1
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { output -> [UInt8]? in
            let written = compress(
                source.assumingMemoryBound(to: CChar.self), count: Int32(input.count),
                into: output.baseAddress!.assumingMemoryBound(to: CChar.self), capacity: Int32(capacity),
                dictionary: dictionary)
            guard written > 0 else { return nil }
            return Array(UnsafeRawBufferPointer(rebasing: output[..<Int(written)]))
        }
    }

    public static func compress(_ input: [UInt8], dictionary: LZ4Dictionary?) -> [UInt8]? {
        input.withUnsafeBytes { compress($0, dictionary: dictionary) }
    }

    /// Decompresses to exactly originalSize bytes; throws on malformed/truncated/hostile input or a
    /// size mismatch. liblz4's safe decoder never reads or writes out of bounds. A *different*
    /// dictionary of sufficient length cannot be detected (blocks carry no checksum) and yields
    /// wrong bytes of the right size, which is why callers must record the dictionary fingerprint.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, originalSize: Int, dictionary: LZ4Dictionary?
    ) throws(LZ4Error) -> [UInt8] {
        guard let source = input.baseAddress, !input.isEmpty else {
            throw LZ4Error(reason: "empty compressed block")
        }
        guard originalSize >= 0, originalSize <= Int(LZ4_MAX_INPUT_SIZE), input.count <= Int(Int32.max) else {
            throw LZ4Error(reason: "sizes out of range: \(input.count) compressed, \(originalSize) original")
        }
        // Refuse before allocating: a corrupted size column must not turn into a huge allocation.
        guard originalSize <= maximumExpansion(of: input.count) else {
            throw LZ4Error(
                reason: "\(input.count) compressed bytes cannot expand to \(originalSize) bytes")
        }
        var decoded: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: max(originalSize, 1)) { buffer, initialized in
            decoded = decompress(
                source.assumingMemoryBound(to: CChar.self), count: Int32(input.count),
                into: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self),
                capacity: Int32(originalSize), dictionary: dictionary)
            initialized = decoded == Int32(originalSize) ? originalSize : 0
        }
        guard decoded >= 0 else {
            throw LZ4Error(reason: "malformed block (liblz4 error at input offset \(-Int(decoded) - 1))")
        }
        guard decoded == Int32(originalSize) else {
            throw LZ4Error(reason: "block decodes to \(decoded) bytes, expected \(originalSize)")
        }
        return output
    }

    public static func decompress(
        _ input: [UInt8], originalSize: Int, dictionary: LZ4Dictionary?
    ) throws(LZ4Error) -> [UInt8] {
        // Typed throws cannot pass through `withUnsafeBytes`, so carry the outcome out as a value.
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(LZ4Error) -> [UInt8] in
                try decompress(bytes, originalSize: originalSize, dictionary: dictionary)
            }
        }
        return try result.get()
    }

    /// Every LZ4 length byte adds at most 255 output bytes, so no block of n bytes can legally
    /// decode to more than about 255·n; the slack covers the fixed-size sequence overhead.
    static func maximumExpansion(of compressedCount: Int) -> Int {
        compressedCount * 255 + 64
    }

    private static func compress(
        _ source: UnsafePointer<CChar>, count: Int32, into destination: UnsafeMutablePointer<CChar>,
        capacity: Int32, dictionary: LZ4Dictionary?
    ) -> Int32 {
        guard let dictionary, !dictionary.bytes.isEmpty else {
            return LZ4_compress_fast(source, destination, count, capacity, acceleration)
        }
        let cache = ThreadCompressionCache.current
        let prepared = cache.prepared(for: dictionary)
        cache.working.copy(from: prepared.template)
        return LZ4_compress_fast_continue(
            cache.working.stream, source, destination, count, capacity, acceleration)
    }

    private static func decompress(
        _ source: UnsafePointer<CChar>, count: Int32, into destination: UnsafeMutablePointer<CChar>,
        capacity: Int32, dictionary: LZ4Dictionary?
    ) -> Int32 {
        guard let dictionary, !dictionary.bytes.isEmpty else {
            return LZ4_decompress_safe(source, destination, count, capacity)
        }
        // Decoding needs no prepared state: the dictionary is only read, never hashed.
        return dictionary.bytes.withUnsafeBytes { dict in
            LZ4_decompress_safe_usingDict(
                source, destination, count, capacity,
                dict.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(dict.count))
        }
    }
}
