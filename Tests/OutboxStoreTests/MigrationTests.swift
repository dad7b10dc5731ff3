import Foundation
import Logging
@testable import OutboxStore
import SQLiteDB
import Testing

@Suite("Schema migrations and store identity")
struct MigrationTests {
    static func open(_ directory: TemporaryDirectory, migrations: [EmbeddedMigration], identity: StoreIdentity = testIdentity) throws -> OutboxStore {
        var logger = Logger(label: "test.migrations")
        logger.logLevel = .error
        return try OutboxStore.open(
            directory: directory.path, identity: identity, options: OutboxOptions(), logger: logger, migrations: migrations)
    }

    @Test("every embedded migration is applied once, in order, and recorded with its checksum")
    func appliedAndRecorded() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        try openStore(directory).close()
        let db = try Database(path: directory.path + "/outbox.sqlite")
        let rows = try db.all("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        #expect(rows.map { $0[0].int64 } == embeddedMigrations.map { Int64($0.version) })
        #expect(rows.map { $0[2].text } == embeddedMigrations.map { Migrator.checksum($0.sql) })
        #expect(try db.int64("PRAGMA user_version") == Int64(embeddedMigrations.map(\.version).max()!))
        #expect(try db.int64("PRAGMA application_id") == Migrator.applicationID)
        #expect(try db.pragma("journal_mode") == "wal")
        #expect(try db.int64("PRAGMA auto_vacuum") == 2)  // INCREMENTAL
    }

    @Test("the embedded migrations are exactly the files in Migrations/, and shipped ones are unchanged")
    func embeddedMatchesFilesAndLock() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == embeddedMigrations.map(\.name))
        // Migrations/shipped.lock pins the checksum of every shipped migration: editing one fails here.
        let lock = try String(contentsOf: folder.appendingPathComponent("shipped.lock"), encoding: .utf8)
        for line in lock.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            let migration = try #require(embeddedMigrations.first { $0.name == parts[0] })
            #expect(Migrator.checksum(migration.sql) == String(parts[1]), "\(parts[0]) was edited after it shipped")
        }
    }

    @Test("a store written by a newer schema is refused with a clear message")
    func newerSchemaRefused() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        let db = try Database(path: directory.path + "/outbox.sqlite")
        try db.execute("INSERT INTO schema_migrations VALUES (999, '0999_future', 'x', 0)")
        #expect {
            try openStore(directory)
        } throws: { error in
            "\(error)".contains("newer cloud-connector (schema 999")
        }
    }

    @Test("a shipped migration that was edited is refused")
    func editedMigrationRefused() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        var edited = embeddedMigrations
        edited[0] = EmbeddedMigration(version: edited[0].version, name: edited[0].name, sql: edited[0].sql + "\n-- edited")
        #expect { try Self.open(directory, migrations: edited) } throws: { "\($0)".contains("was edited") }
    }

    @Test("a migration that rewrites tables first backs the store up, and the backup holds the old data")
    func rewriteBacksUp() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        _ = try await store.append(Drafts.event("req-1", "accepted", data: ["job_type": "tool"]))
        store.close()
        let rewrite = EmbeddedMigration(
            version: 9_000, name: "9000_rewrite_test",
            sql: """
                -- migration: rewrites-tables
                CREATE TABLE seq_jumps_new (id INTEGER PRIMARY KEY, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL CHECK (to_seq > from_seq), jumped_at_ms INTEGER NOT NULL);
                INSERT INTO seq_jumps_new SELECT * FROM seq_jumps;
                DROP TABLE seq_jumps;
                ALTER TABLE seq_jumps_new RENAME TO seq_jumps;
                """)
        try Self.open(directory, migrations: embeddedMigrations + [rewrite]).close()
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/backups")
        let backup = try #require(backups.first { $0.contains("9000_rewrite_test") })
        let copy = try Database(path: directory.path + "/backups/" + backup)
        #expect(try copy.int64("SELECT count(*) FROM outbox") == 1)
        #expect(try copy.int64("SELECT max(version) FROM schema_migrations") == Int64(embeddedMigrations.last!.version))
    }

    @Test("R12: a store refuses to open as another device or tenant")
    func identityMismatchRefused() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        for other in [StoreIdentity(deviceID: "dev-other", tenantID: testIdentity.tenantID),
                      StoreIdentity(deviceID: testIdentity.deviceID, tenantID: "tenant-b")] {
            #expect { try Self.open(directory, migrations: embeddedMigrations, identity: other) } throws: { error in
                guard case OutboxError.identityMismatch = error else { return false }
                return "\(error)".contains("belongs to device dev-test-1 in tenant tenant-a")
            }
        }
    }

    @Test("an SQLite file that is not an outbox is refused, not migrated")
    func foreignFileRefused() throws {
        let directory = TemporaryDirectory()
        let db = try Database(path: directory.path + "/outbox.sqlite")
        try db.execute("CREATE TABLE notes (body TEXT)")
        #expect { try openStore(directory) } throws: { "\($0)".contains("not a cloud-connector outbox") }
        #expect(try db.int64("SELECT count(*) FROM sqlite_schema") == 1)
    }
}
