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
    private var prepared = RecentlyUsedList<PreparedDictionary>(capacity: ThreadCompressionCache.capacity)

    /// Created on the first HC call: its states are 16 times the size of the fast-mode ones.
    private(set) lazy var highCompression = HCCompressionScratch()

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
        prepared.element(where: { $0.matches(dictionary) }) { PreparedDictionary(dictionary) }
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
