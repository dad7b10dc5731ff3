import ConnectorCore
import Foundation
import Logging
import SQLiteDB

/// Applies the embedded migrations in version order, each in its own transaction, and records each
/// one (with a checksum of its text) in `schema_migrations`. A migration whose text contains
/// `-- migration: rewrites-tables` first gets a backup of the store through SQLite's backup API.
struct Migrator {
    /// Marks the file as one of ours: `PRAGMA application_id` = "MSCC".
    static let applicationID: Int64 = 0x4D53_4343
    static let rewriteMarker = "-- migration: rewrites-tables"

    let migrations: [EmbeddedMigration]
    let backupDirectory: String
    let logger: Logger

    var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    init(migrations: [EmbeddedMigration], backupDirectory: String, logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.backupDirectory = backupDirectory
        self.logger = logger
    }

    /// Brings `db` to the latest schema. Returns the versions it applied.
    @discardableResult
    func migrate(_ db: Database, clock: any WallClock) throws -> [Int] {
        try prepareFile(db)
        let applied = try appliedChecksums(db)
        if let newest = applied.keys.max(), newest > latestVersion {
            throw OutboxError.schemaTooNew(storeVersion: newest, supportedVersion: latestVersion, path: db.path)
        }
        for migration in migrations {
            guard let checksum = applied[migration.version] else { continue }
            if checksum != Self.checksum(migration.sql) {
                throw OutboxError.migrationEdited(version: migration.version, name: migration.name)
            }
        }
        var newlyApplied: [Int] = []
        for migration in migrations where applied[migration.version] == nil {
            if migration.sql.contains(Self.rewriteMarker), try hasUserData(db) {
                try backUp(db, before: migration, clock: clock)
            }
            let didApply = try db.transaction(.immediate) { () -> Bool in
                // Another process may have applied it since we looked.
                let done = try db.int64(
                    "SELECT count(*) FROM schema_migrations WHERE version = ?", [.integer(Int64(migration.version))])
                if done > 0 { return false }
                try db.execute(migration.sql)
                try db.run(
                    "INSERT INTO schema_migrations(version, name, checksum, applied_at_ms) VALUES (?, ?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name),
                     .text(Self.checksum(migration.sql)), .integer(clock.nowMilliseconds())])
                try db.execute("PRAGMA user_version = \(migration.version)")
                return true
            }
            guard didApply else { continue }
            logger.info(
                "applied schema migration",
                metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }

    /// First-open settings that must precede any table (auto_vacuum) and the bookkeeping table.
    private func prepareFile(_ db: Database) throws {
        let appID = try db.int64("PRAGMA application_id")
        let tableCount = try db.int64("SELECT count(*) FROM sqlite_schema")
        if tableCount == 0 {
            try db.execute("PRAGMA application_id = \(Self.applicationID)")
        } else if appID != Self.applicationID {
            throw OutboxError.notAnOutbox(path: db.path)
        }
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY CHECK (version > 0),
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at_ms INTEGER NOT NULL
            )
            """)
    }

    private func appliedChecksums(_ db: Database) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for row in try db.all("SELECT version, checksum FROM schema_migrations") {
            if let version = row[0].int64, let checksum = row[1].text {
                result[Int(version)] = checksum
            }
        }
        return result
    }

    private func hasUserData(_ db: Database) throws -> Bool {
        try db.int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations'") > 0
    }

    private func backUp(_ db: Database, before migration: EmbeddedMigration, clock: any WallClock) throws {
        try FileManager.default.createDirectory(
            atPath: backupDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = RFC3339Compact.stamp(milliseconds: clock.nowMilliseconds())
        let path = "\(backupDirectory)/outbox-before-\(migration.name)-\(stamp).sqlite"
        try db.backup(to: path)
        chmod(path, 0o600)
        logger.notice(
            "backed up the store before a migration that rewrites tables",
            metadata: ["migration.name": "\(migration.name)", "backup.path": "\(path)"])
    }

    /// FNV-1a 64 of the migration text: enough to notice that a shipped migration was edited.
    static func checksum(_ sql: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A file-name-safe UTC time stamp, e.g. 20261125T015536Z.
enum RFC3339Compact {
    static func stamp(milliseconds: Int64) -> String {
        let full = RFC3339.format(milliseconds: milliseconds)  // 2026-11-25T01:55:36.123Z
        let digits = full.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }
}
