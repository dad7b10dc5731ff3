import ConnectorCore
import Dispatch
import OutboxStore
import Synchronization

/// Reads that cost milliseconds (a page of payloads, a count over the backlog) run on their own
/// serial queue with their own connection, so the link's loop never waits on the disk and a
/// heartbeat is never late because a page was being decoded.
final class PageReads: Sendable {
    private let reader: Mutex<OutboxReader>
    private let queue = DispatchQueue(label: "outbox-page-reads")

    init(_ reader: sending OutboxReader) {
        self.reader = Mutex(reader)
    }

    func page(_ request: PageRequest, then deliver: @escaping @Sendable (Result<[StoredMessage], OutboxError>) -> Void) {
        queue.async { [self] in
            deliver(reader.withLock { reader in Self.capture { try reader.pendingPage(after: request.after, limit: request.limit) } })
        }
    }

    func backlog(then deliver: @escaping @Sendable (Result<Backlog, OutboxError>) -> Void) {
        queue.async { [self] in
            deliver(reader.withLock { reader in Self.capture { try reader.backlog() } })
        }
    }

    /// Waits for reads already queued; after this no delivery is pending.
    func drain() {
        queue.sync {}
    }

    private static func capture<T>(_ body: () throws -> T) -> Result<T, OutboxError> {
        do {
            return .success(try body())
        } catch let error as OutboxError {
            return .failure(error)
        } catch {
            return .failure(.unitRejected(reason: "\(error)"))
        }
    }
}
