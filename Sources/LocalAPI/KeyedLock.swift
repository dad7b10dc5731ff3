/// Mutual exclusion per key, for async code: callers with the same key run one at a time, in arrival
/// order; different keys do not wait for each other. Used to make "look for a stored twin, else
/// append" atomic for messaging replies, which the store itself does not deduplicate.
actor KeyedLock {
    /// A key is present while held; its array holds the callers waiting for it.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()
    }

    /// Runs `body` holding `key`, and releases it however `body` ends.
    nonisolated func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        do {
            let result = try await body()
            await release(key)
            return result
        } catch {
            await release(key)
            throw error
        }
    }
}
