internal import CLZ4

/// Owns one heap-allocated, initialised `LZ4_stream_t`. Heap, not stack, because the state is
/// 16 KiB and is kept per thread for the life of the thread.
final class LZ4StreamState {
    let stream: UnsafeMutablePointer<LZ4_stream_t>

    init() {
        stream = .allocate(capacity: 1)
        let initialised = LZ4_initStream(stream, MemoryLayout<LZ4_stream_t>.size)
        precondition(initialised != nil, "LZ4_initStream rejected a correctly sized, aligned buffer")
    }

    /// Makes this state an exact copy of `other`, including its reference to the dictionary bytes.
    func copy(from other: LZ4StreamState) {
        stream.update(from: other.stream, count: 1)
    }

    deinit {
        stream.deallocate()
    }
}
