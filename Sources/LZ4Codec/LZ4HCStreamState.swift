internal import CLZ4

/// Owns one heap-allocated, initialised `LZ4_streamHC_t` (about 256 KiB: a 128 KiB hash table and
/// a 128 KiB chain table), kept per thread because allocating and zeroing that much per message
/// would cost more than compressing a small one.
final class LZ4HCStreamState {
    let stream: UnsafeMutablePointer<LZ4_streamHC_t>

    init() {
        stream = .allocate(capacity: 1)
        let initialised = LZ4_initStreamHC(stream, MemoryLayout<LZ4_streamHC_t>.size)
        precondition(initialised != nil, "LZ4_initStreamHC rejected a correctly sized, aligned buffer")
    }

    /// Makes this state an exact copy of `other`, including its level and its reference to the
    /// dictionary bytes. A raw byte copy so that it is one `memcpy` even in debug builds, never a
    /// field-by-field copy of a 256 KiB imported C union.
    func copy(from other: LZ4HCStreamState) {
        UnsafeMutableRawPointer(stream).copyMemory(
            from: UnsafeRawPointer(other.stream), byteCount: MemoryLayout<LZ4_streamHC_t>.size)
    }

    deinit {
        stream.deallocate()
    }
}
