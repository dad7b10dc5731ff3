import Synchronization

/// Tells in-process observers (the link) that appends were committed, right after the commit: no
/// file watch, no wait for the commit to become visible to readers. Appends from other processes
/// are seen through the link's watch of the data directory instead.
final class CommitSignal: Sendable {
    private let observers = Mutex<[@Sendable (Int64) -> Void]>([])

    func add(_ observer: @escaping @Sendable (Int64) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Called on the writer thread after a commit that appended; `lastSeq` is the allocator's value.
    func committed(lastSeq: Int64) {
        for observer in observers.withLock({ $0 }) { observer(lastSeq) }
    }
}

extension OutboxStore {
    /// `observer` runs on the writer thread after every commit that appended messages, with the
    /// highest seq assigned so far. Keep it short: post and return.
    public func observeCommits(_ observer: @escaping @Sendable (Int64) -> Void) {
        commitSignal.add(observer)
    }
}
