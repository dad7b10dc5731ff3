import Dispatch
import Foundation
import Logging
import SQLiteDB
import Synchronization

/// The single writer: a dedicated thread (not the cooperative pool, whose threads must never block on
/// fsync) that owns the store's only write connection and commits queued units in groups.
enum OutboxWriter {
    struct Configuration: Sendable {
        let path: String
        let options: OutboxOptions
        let ids: MessageIDScheme
        let logger: Logger
        let commitSignal: CommitSignal
    }

    /// Starts the thread and waits until its connection is open and checked.
    static func start(_ configuration: Configuration, queue: WriterQueue) throws(OutboxError) {
        let ready = DispatchSemaphore(value: 0)
        let startup = Mutex<OutboxError?>(nil)
        let thread = Thread {
            serve(configuration, queue: queue, ready: ready, startup: startup)
            // Signalled only after serve() returned, so the connection is closed by then and a
            // caller of close() can reopen or copy the file at once.
            queue.stopped.signal()
        }
        thread.name = "outbox-writer"
        thread.start()
        ready.wait()
        if let error = startup.withLock({ $0 }) { throw error }
    }

    private static func serve(
        _ configuration: Configuration, queue: WriterQueue, ready: DispatchSemaphore,
        startup: borrowing Mutex<OutboxError?>
    ) {
        let session: WriterSession
        do throws(OutboxError) {
            session = try openSession(configuration)
        } catch {
            startup.withLock { $0 = error }
            ready.signal()
            queue.close()
            failRemaining(queue, error: error)
            return
        }
        ready.signal()
        run(session, queue: queue)
    }

    private static func openSession(_ configuration: Configuration) throws(OutboxError) -> WriterSession {
        let options = configuration.options
        do {
            let db = try StoreConnection.open(
                path: configuration.path, durability: options.durability,
                busyTimeoutMilliseconds: options.busyTimeoutMilliseconds, faults: options.faults)
            db.startCountingCommits()
            // The writer touches index pages all over the file; a larger cache keeps them between
            // transactions (negative: KiB).
            try db.execute("PRAGMA cache_size = -65536")
            if let pages = options.maxPageCount { _ = try db.pragma("max_page_count = \(pages)") }
            let codecs = try CodecTable.load(db)
            return WriterSession(
                db: db, codecs: codecs, ids: configuration.ids, options: options, logger: configuration.logger,
                commitSignal: configuration.commitSignal)
        } catch {
            throw OutboxErrorMapping.map(error, operation: "opening the write connection", path: configuration.path)
        }
    }

    private static func run(_ session: WriterSession, queue: WriterQueue) {
        let groupCommit = !session.faults.contains(.noGroupCommit)
        let maxUnits = session.options.maxUnitsPerTransaction
        var lastGroup = 0
        while var jobs = queue.next(max: maxUnits) {
            // Many producers each wait for their own commit, so they come back in cohorts: while one
            // group commits, the producers of the previous one are still being resumed. When the
            // last group was large and this one is smaller, wait a moment (about one fsync) for the
            // rest, so one commit serves them all. A lone producer never waits.
            if groupCommit, lastGroup >= 8, jobs.count < lastGroup, jobs.count < maxUnits {
                let deadline = DispatchTime.now().uptimeNanoseconds + session.options.groupCommitLingerNanoseconds
                while queue.count + jobs.count < lastGroup, DispatchTime.now().uptimeNanoseconds < deadline {
                    usleep(50)
                }
                jobs += queue.takeQueued(max: maxUnits - jobs.count)
            }
            lastGroup = jobs.count
            var batch: [WriterJob] = []
            for job in jobs {
                if case .exclusive(let exclusive) = job {
                    if !batch.isEmpty { session.commit(batch) }
                    batch.removeAll()
                    exclusive.run(session)
                } else if groupCommit {
                    batch.append(job)
                } else {
                    session.commit([job])
                }
            }
            if !batch.isEmpty { session.commit(batch) }
        }
        // Fold the WAL back into the database so a stopped store is one file again.
        _ = try? session.db.pragma("wal_checkpoint(TRUNCATE)")
    }

    private static func failRemaining(_ queue: WriterQueue, error: OutboxError) {
        while let jobs = queue.next(max: .max) {
            for job in jobs {
                switch job {
                case .append(_, let completion): completion(.failure(error))
                case .acknowledge(_, let completion): completion(.failure(error))
                case .exclusive(let exclusive): exclusive.fail(error)
                }
            }
        }
    }
}
