#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Per-thread compression scratch: a working stream state plus the dictionaries this thread has
/// prepared. Thread-local rather than shared so the per-message hot path takes no lock and never
/// contends with other producers; a synchronous call cannot hop threads, so the state is never
/// used by two callers at once.
final class ThreadCompressionCache {
    /// A handful of dictionaries covers a dictionary rotation (old rows decoded, new rows encoded)
    /// without letting a misbehaving caller grow memory without bound.
    private static let capacity = 4

    let working = LZ4StreamState()
    private var prepared: [PreparedDictionary] = []

    /// The calling thread's cache, created on first use and released when the thread exits.
    static var current: ThreadCompressionCache {
        if let existing = pthread_getspecific(threadCacheKey) {
            return Unmanaged<ThreadCompressionCache>.fromOpaque(existing).takeUnretainedValue()
        }
        let cache = ThreadCompressionCache()
        let status = pthread_setspecific(threadCacheKey, Unmanaged.passRetained(cache).toOpaque())
        precondition(status == 0, "pthread_setspecific failed: \(status)")
        return cache
    }

    /// Keyed by fingerprint and length: comparing 64 KiB of bytes per message would cost more
    /// than the compression itself, and a 64-bit FNV collision between two of our own shipped
    /// dictionaries is not a realistic event.
    func prepared(for dictionary: LZ4Dictionary) -> PreparedDictionary {
        if let first = prepared.first, first.matches(dictionary) {
            return first
        }
        if let index = prepared.firstIndex(where: { $0.matches(dictionary) }) {
            let hit = prepared.remove(at: index)
            prepared.insert(hit, at: 0)
            return hit
        }
        let fresh = PreparedDictionary(dictionary)
        if prepared.count == Self.capacity {
            prepared.removeLast()
        }
        prepared.insert(fresh, at: 0)
        return fresh
    }
}

private let threadCacheKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, releaseThreadCache)
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()

#if canImport(Darwin)
    private func releaseThreadCache(_ pointer: UnsafeMutableRawPointer) {
        Unmanaged<ThreadCompressionCache>.fromOpaque(pointer).release()
    }
#else
    private func releaseThreadCache(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        Unmanaged<ThreadCompressionCache>.fromOpaque(pointer).release()
    }
#endif
