import OutboxStore
import Synchronization

/// One read connection to the outbox, shared by the requests that read (status, metrics, reply
/// dedupe). A reader is not Sendable and holds an open SQLite connection, so requests take turns on
/// it under a lock: each read is one short transaction (a few ms at most), cheaper than opening a
/// connection per request.
final class StoreReads: Sendable {
    private let store: OutboxStore
    private let reader = Mutex<OutboxReader?>(nil)

    init(store: OutboxStore) {
        self.store = store
    }

    func read<T: Sendable>(_ body: (OutboxReader) throws -> T) throws -> T {
        try reader.withLock { slot in
            let current: OutboxReader
            if let open = slot {
                current = open
            } else {
                current = try store.makeReader()
                slot = current
            }
            do {
                return try body(current)
            } catch {
                // The next read opens a fresh connection rather than reuse one in an unknown state.
                slot = nil
                throw error
            }
        }
    }
}
