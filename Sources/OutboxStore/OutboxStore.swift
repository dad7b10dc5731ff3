import ConnectorCore
import Dispatch
import Foundation
public import Logging
import SQLiteDB
import Synchronization

/// The event log: every outbound execution_event, usage_report and messaging_reply is appended here,
/// durably, before it is sent (R1), with a per-device seq and a stable id (R2).
///
/// Appends from any number of producers are validated and compressed in the producer, then handed to
/// one writer thread that commits them in groups: one fsync serves every append in the group, and
/// each caller returns only once its own append is durable.
public final class OutboxStore: Sendable {
    public static let fileName = "outbox.sqlite"

    public let directory: String
    public let path: String
    public let identity: StoreIdentity
    public let options: OutboxOptions
    public let preparer: MessagePreparer
    let codecs: CodecTable
    let ids: MessageIDScheme
    let queue = WriterQueue()
    let commitSignal = CommitSignal()
    let logger: Logger

    /// Opens (creating or migrating as needed) `<directory>/outbox.sqlite` for `identity`. Does only
    /// cheap checks; `verify` does the full ones.
    public static func open(
        directory: String, identity: StoreIdentity, options: OutboxOptions = OutboxOptions(),
        logger: Logger = Logger(label: "cloud-connector.outbox")
    ) throws -> OutboxStore {
        try open(directory: directory, identity: identity, options: options, logger: logger,
                 migrations: embeddedMigrations)
    }

    static func open(
        directory: String, identity: StoreIdentity, options: OutboxOptions, logger: Logger,
        migrations: [EmbeddedMigration]
    ) throws -> OutboxStore {
        let path = directory + "/" + fileName
        let codecs: CodecTable
        let ids: MessageIDScheme
        do {
            let db = try StoreConnection.open(
                path: path, durability: options.durability,
                busyTimeoutMilliseconds: options.busyTimeoutMilliseconds, faults: options.faults)
            let migrator = Migrator(migrations: migrations, backupDirectory: directory + "/backups", logger: logger)
            try migrator.migrate(db, clock: options.clock)
            ids = try checkIdentity(db, identity: identity, clock: options.clock)
            codecs = try CodecTable.load(db)
            try cheapChecks(db)
            if options.probeForDamageAtOpen && !options.faults.contains(.skipStartupProbe) {
                try DamageProbe.run(db, quickCheckMaxPages: options.quickCheckMaxPages, logger: logger)
            }
        } catch {
            throw OutboxErrorMapping.map(error, operation: "opening the outbox", path: path)
        }
        chmod(path, options.faults.contains(.looseFileModes) ? 0o644 : 0o600)
        let store = OutboxStore(
            directory: directory, path: path, identity: identity, options: options, codecs: codecs, ids: ids,
            logger: logger)
        try OutboxWriter.start(
            .init(path: path, options: options, ids: ids, logger: logger, commitSignal: store.commitSignal), queue: store.queue)
        return store
    }

    private init(
        directory: String, path: String, identity: StoreIdentity, options: OutboxOptions, codecs: CodecTable,
        ids: MessageIDScheme, logger: Logger
    ) {
        self.directory = directory
        self.path = path
        self.identity = identity
        self.options = options
        self.codecs = codecs
        self.ids = ids
        self.logger = logger
        self.preparer = MessagePreparer(
            identity: identity, compressionThreshold: options.compressionThreshold,
            highCompressionThreshold: options.highCompressionThreshold, codecs: codecs, clock: options.clock)
    }

    deinit {
        queue.close()
    }

    // MARK: appending

    /// Appends the drafts as one unit (all or nothing), with any rows that must commit with them.
    /// Returns once the unit is durably committed.
    public func append(_ drafts: [MessageDraft], rows: UnitRows? = nil) async throws -> [AppendedMessage] {
        let unit = try prepareUnit(drafts, rows: rows)
        return try await withCheckedThrowingContinuation { continuation in
            submit(.append(unit, { continuation.resume(with: $0) }), orFail: { continuation.resume(throwing: $0) })
        }
    }

    public func append(_ draft: MessageDraft) async throws -> AppendedMessage {
        try await append([draft])[0]
    }

    /// The same as `append`, blocking the calling thread: for CLI commands and non-async callers.
    public func appendAndWait(_ drafts: [MessageDraft], rows: UnitRows? = nil) throws -> [AppendedMessage] {
        let unit = try prepareUnit(drafts, rows: rows)
        return try Self.wait { completion in
            submit(.append(unit, completion), orFail: { completion(.failure($0)) })
        }
    }

    private func prepareUnit(_ drafts: [MessageDraft], rows: UnitRows?) throws(OutboxError) -> AppendUnit {
        var messages: [PreparedMessage] = []
        messages.reserveCapacity(drafts.count)
        for draft in drafts {
            messages.append(try preparer.prepare(draft))
        }
        return AppendUnit(messages: messages, rows: rows)
    }

    // MARK: acks

    /// Records the cloud's cumulative ack durably. Lower or repeated acks are ignored.
    public func acknowledge(through seq: Int64) async throws -> AckOutcome {
        try await withCheckedThrowingContinuation { continuation in
            submit(.acknowledge(seq, { continuation.resume(with: $0) }), orFail: { continuation.resume(throwing: $0) })
        }
    }

    public func acknowledgeAndWait(through seq: Int64) throws -> AckOutcome {
        try Self.wait { completion in
            submit(.acknowledge(seq, completion), orFail: { completion(.failure($0)) })
        }
    }

    // MARK: exclusive work on the writer connection

    /// Runs `body` alone on the writer thread (between group commits).
    func perform<T: Sendable>(_ body: @escaping @Sendable (WriterSession) throws -> T) throws -> T {
        try Self.wait { completion in
            let job = ExclusiveJob(
                run: { session in
                    do {
                        completion(.success(try body(session)))
                    } catch {
                        completion(.failure(OutboxErrorMapping.map(error, operation: "maintenance", path: session.db.path)))
                    }
                },
                fail: { completion(.failure($0)) })
            submit(.exclusive(job), orFail: { completion(.failure($0)) })
        }
    }

    /// What the writer connection reports about itself: its `PRAGMA synchronous` level (2 = FULL) and
    /// how many transactions it has committed.
    public func writerDiagnostics() throws -> WriterDiagnostics {
        try perform { session in
            WriterDiagnostics(
                synchronousLevel: try StoreConnection.synchronousLevel(session.db),
                committedTransactions: session.db.committedTransactions)
        }
    }

    // MARK: lifecycle

    /// Takes no new work, lets the writer commit what is queued, and waits for it to stop.
    public func close() {
        queue.close()
        queue.stopped.wait()
        queue.stopped.signal()  // later close() calls return at once
    }

    public var isClosed: Bool { queue.isClosed }

    func submit(_ job: WriterJob, orFail fail: (OutboxError) -> Void) {
        if !queue.submit(job) { fail(.closed) }
    }

    /// Blocks the calling thread until `start` completes. Never called on the writer thread.
    static func wait<T: Sendable>(_ start: (@escaping Completion<T>) -> Void) throws(OutboxError) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<T, OutboxError>?>(nil)
        start { result in
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }

    // MARK: opening checks

    /// Records (first open) or checks the store's owner, and returns its message-id scheme.
    private static func checkIdentity(_ db: Database, identity: StoreIdentity, clock: any WallClock) throws -> MessageIDScheme {
        // INSERT OR IGNORE then read: two processes opening a new store at once agree on one owner.
        try db.run(
            "INSERT OR IGNORE INTO store_identity (singleton, device_id, tenant_id, id_salt, created_at_ms) VALUES (1, ?, ?, ?, ?)",
            [.text(identity.deviceID), .text(identity.tenantID), .blob(MessageIDScheme.randomSalt()),
             .integer(clock.nowMilliseconds())])
        let row = try db.all("SELECT device_id, tenant_id, id_salt FROM store_identity WHERE singleton = 1").first
        let device = row?[0].text ?? ""
        let tenant = row?[1].text ?? ""
        guard device == identity.deviceID, tenant == identity.tenantID else {
            throw OutboxError.identityMismatch(
                path: db.path, storeDevice: device, storeTenant: tenant, device: identity.deviceID,
                tenant: identity.tenantID)
        }
        guard case .blob(let salt)? = row?[2], salt.count == 16 else {
            throw OutboxError.corrupt(path: db.path, detail: "store_identity.id_salt is unreadable")
        }
        return MessageIDScheme(salt: salt)
    }

    /// O(log n) checks only: start-up must stay fast on a million-message store. One read
    /// transaction, so a commit by another process between two reads cannot look like damage.
    private static func cheapChecks(_ db: Database) throws {
        try db.run("BEGIN DEFERRED")
        defer { try? db.run("COMMIT") }
        let state = try SequenceState.read(db)
        let maxSeq = try db.int64("SELECT coalesce(max(seq), 0) FROM outbox")
        if maxSeq > state.lastSeq {
            throw OutboxError.corrupt(
                path: db.path, detail: "the log holds seq \(maxSeq) but the allocator says \(state.lastSeq)")
        }
        let minSeq = try db.int64("SELECT coalesce(min(seq), 0) FROM outbox")
        if minSeq != 0 && minSeq <= state.prunedThrough {
            throw OutboxError.corrupt(
                path: db.path, detail: "seq \(minSeq) is held although retention pruned through \(state.prunedThrough)")
        }
    }
}

public struct WriterDiagnostics: Sendable, Equatable {
    public let synchronousLevel: Int64
    public let committedTransactions: Int
}
