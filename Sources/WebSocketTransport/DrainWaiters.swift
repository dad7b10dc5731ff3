/// Tasks waiting in `waitForSendQueue`. Not thread-safe: the connection's lock guards it.
struct DrainWaiters {
    private var nextID = 0
    private var waiting: [Int: (threshold: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// Cancelled before they registered: the registration must not park them.
    private var cancelled: Set<Int> = []

    mutating func makeID() -> Int {
        nextID += 1
        return nextID
    }

    /// False when the waiter was cancelled already; the caller resumes it then.
    mutating func add(id: Int, threshold: Int, _ continuation: CheckedContinuation<Void, Never>) -> Bool {
        if cancelled.remove(id) != nil { return false }
        waiting[id] = (threshold, continuation)
        return true
    }

    mutating func cancel(id: Int) -> CheckedContinuation<Void, Never>? {
        if let entry = waiting.removeValue(forKey: id) { return entry.continuation }
        cancelled.insert(id)
        return nil
    }

    /// The waiters satisfied now that `bytes` are queued.
    mutating func take(atLeast bytes: Int) -> [CheckedContinuation<Void, Never>] {
        guard !waiting.isEmpty else { return [] }
        let ready = waiting.filter { $0.value.threshold >= bytes }
        for id in ready.keys { waiting[id] = nil }
        return ready.values.map(\.continuation)
    }

    mutating func takeAll() -> [CheckedContinuation<Void, Never>] {
        defer { waiting.removeAll() }
        return waiting.values.map(\.continuation)
    }
}
