import Foundation
import SQLiteDB

/// What a store holds, read without changing it: no migration, no writer, no identity recorded.
/// For `cloud-connector doctor`, which must look at a store this binary would refuse (a newer
/// schema) or change (an older one) if it opened it for real, and must not disturb a running service.
public struct StoreInspection: Sendable, Equatable {
    public struct Schema: Sendable, Equatable {
        /// The newest migration the store applied; 0 for a file that has none yet.
        public let version: Int
        /// The newest migration this binary embeds.
        public let supportedVersion: Int
        /// Migrations this binary would apply at its next open, oldest first (`0002_link_status`).
        public let pendingMigrations: [String]

        public var isNewerThanThisBinary: Bool { version > supportedVersion }
    }

    /// What the tables say; only read when the schema is one this binary knows.
    public struct Contents: Sendable, Equatable {
        public let sequence: SequenceState
        public let pendingMessages: Int64
        /// What the pending messages count against the size bound: payload bytes plus the per-row
        /// overhead, as `SequenceState.heldBytes` counts them.
        public let pendingBytes: Int64
        public let oldestPendingCreatedAtMS: Int64?
        /// What the service last reported; nil when none ever ran (or the table is not there yet).
        public let link: LinkStatusRecord?
    }

    public let path: String
    public let schema: Schema
    /// The device and tenant the store belongs to (R12); nil when it never recorded one.
    public let owner: StoreIdentity?
    public let contents: Contents?
    /// The store file plus its WAL.
    public let bytesOnDisk: Int64

    /// Reads `<directory>/outbox.sqlite`, which must exist. Throws `notAnOutbox` for an SQLite file
    /// of something else, `corrupt` when SQLite cannot read it, `storeBusy` when it stays locked.
    public static func inspect(directory: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(OutboxError) -> StoreInspection {
        let path = directory + "/" + OutboxStore.fileName
        do {
            let db = try StoreConnection.open(
                path: path, durability: .full, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: true)
            // One snapshot: a commit by the service between two reads cannot look like an inconsistency.
            try db.run("BEGIN DEFERRED")
            defer { try? db.run("COMMIT") }
            let schema = try readSchema(db)
            let known = schema.version > 0 && !schema.isNewerThanThisBinary
            return StoreInspection(
                path: path, schema: schema, owner: known ? try readOwner(db) : nil,
                contents: known ? try readContents(db) : nil,
                bytesOnDisk: fileSize(path) + fileSize(path + "-wal"))
        } catch {
            throw OutboxErrorMapping.map(error, operation: "inspecting the outbox", path: path)
        }
    }

    private static func readSchema(_ db: Database) throws -> Schema {
        let migrations = embeddedMigrations.sorted { $0.version < $1.version }
        let supported = migrations.last?.version ?? 0
        guard try db.int64("SELECT count(*) FROM sqlite_schema") > 0 else {
            return Schema(version: 0, supportedVersion: supported, pendingMigrations: migrations.map(\.name))
        }
        guard try db.int64("PRAGMA application_id") == Migrator.applicationID else {
            throw OutboxError.notAnOutbox(path: db.path)
        }
        let applied = Set(try db.all("SELECT version FROM schema_migrations").compactMap { $0[0].int64.map(Int.init) })
        return Schema(
            version: applied.max() ?? 0, supportedVersion: supported,
            pendingMigrations: migrations.filter { !applied.contains($0.version) }.map(\.name))
    }

    private static func readOwner(_ db: Database) throws -> StoreIdentity? {
        guard let row = try db.all("SELECT device_id, tenant_id FROM store_identity WHERE singleton = 1").first,
            let device = row[0].text, let tenant = row[1].text
        else { return nil }
        return StoreIdentity(deviceID: device, tenantID: tenant)
    }

    private static func readContents(_ db: Database) throws -> Contents {
        let sequence = try SequenceState.read(db)
        let pending = try db.all(
            "SELECT count(*), coalesce(sum(length(payload)), 0), min(created_at_ms) FROM outbox WHERE seq > ?",
            [.integer(sequence.ackedSeq)]
        ).first
        let count = pending?[0].int64 ?? 0
        let hasLinkTable = try db.int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'link_status'") > 0
        return Contents(
            sequence: sequence, pendingMessages: count,
            pendingBytes: (pending?[1].int64 ?? 0) + count * PreparedMessage.rowOverhead,
            oldestPendingCreatedAtMS: pending?[2].int64,
            link: hasLinkTable ? try LinkStatusRecord.read(db) : nil)
    }

    private static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
