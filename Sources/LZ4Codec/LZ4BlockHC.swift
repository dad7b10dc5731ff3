internal import CLZ4

/// High-compression (LZ4 HC) blocks. HC spends more time searching for matches but writes the
/// same block format, so `LZ4Block.decompress` (and any `LZ4_decompress_safe_usingDict` with the
/// same dictionary bytes) decodes its output; decoding is as fast as for fast-mode blocks.
extension LZ4Block {
    /// The levels liblz4 treats as HC proper (3–9 hash-chain search, 10–12 optimal parsing).
    /// Levels 1–2 are left out: newer liblz4 runs them as a different, dictionary-sensitive
    /// strategy, and fast mode (`compress`) is the better choice at that speed anyway.
    public static let hcLevels: ClosedRange<Int32> = LZ4HC_CLEVEL_MIN...LZ4HC_CLEVEL_MAX
    public static let defaultHCLevel: Int32 = LZ4HC_CLEVEL_DEFAULT

    /// LZ4 HC at `level` (LZ4HC_CLEVEL_MIN...LZ4HC_CLEVEL_MAX; 9 = default), optionally against a
    /// dictionary. A level outside `hcLevels` is clamped into it, as liblz4 itself does above the
    /// maximum, so a misconfigured level degrades speed or ratio rather than failing appends.
    /// nil when not smaller than the input. Thread-safe; callable concurrently.
    public static func compressHC(_ input: UnsafeRawBufferPointer, dictionary: LZ4Dictionary?, level: Int32) -> [UInt8]? {
        // Same early give-up as fast mode: a cap one byte below the input stops the search as
        // soon as the block would not shrink.
        guard let source = input.baseAddress, input.count > 1, input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            return nil
        }
        let level = min(max(level, hcLevels.lowerBound), hcLevels.upperBound)
        let capacity = input.count - 1
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { output -> [UInt8]? in
            let written = compressHC(
                source.assumingMemoryBound(to: CChar.self), count: Int32(input.count),
                into: output.baseAddress!.assumingMemoryBound(to: CChar.self), capacity: Int32(capacity),
                dictionary: dictionary, level: level)
            guard written > 0 else { return nil }
            return Array(UnsafeRawBufferPointer(rebasing: output[..<Int(written)]))
        }
    }

    public static func compressHC(_ input: [UInt8], dictionary: LZ4Dictionary?, level: Int32) -> [UInt8]? {
        input.withUnsafeBytes { compressHC($0, dictionary: dictionary, level: level) }
    }

    private static func compressHC(
        _ source: UnsafePointer<CChar>, count: Int32, into destination: UnsafeMutablePointer<CChar>,
        capacity: Int32, dictionary: LZ4Dictionary?, level: Int32
    ) -> Int32 {
        let scratch = ThreadCompressionCache.current.highCompression
        let stream = scratch.working.stream
        if let dictionary, !dictionary.bytes.isEmpty {
            scratch.working.copy(from: scratch.prepared(for: dictionary, level: level).template)
        } else {
            // Without a dictionary a fast reset is enough: it moves the state's index window past
            // everything the previous call inserted, so stale entries are ignored without zeroing
            // 256 KiB (which `LZ4_compress_HC_extStateHC` would do on every call). After a failed
            // call liblz4 marks the state dirty and this reset zeroes it in full.
            LZ4_resetStreamHC_fast(stream, level)
        }
        return LZ4_compress_HC_continue(stream, source, destination, count, capacity)
    }
}
