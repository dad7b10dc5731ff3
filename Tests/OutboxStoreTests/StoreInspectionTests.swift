import ConnectorCore
import Foundation
@testable import OutboxStore
import SQLiteDB
import Testing

@Suite("Inspecting a store without opening it for real")
struct StoreInspectionTests {
    static func raw(_ directory: TemporaryDirectory) throws -> Database {
        let db = try Database(path: directory.path + "/" + OutboxStore.fileName, mode: .readWrite(create: false))
        db.setBusyTimeout(milliseconds: 5_000)
        return db
    }

    @Test("owner, schema and the pending backlog as the size bound counts it")
    func readsWhatTheStoreHolds() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        var generator = traffic()
        _ = try store.appendAndWait((0..<10).map { _ in generator.next() })
        let heldAll = try store.makeReader().sequenceState().heldBytes
        let inspection = try StoreInspection.inspect(directory: directory.path)
        #expect(inspection.owner == testIdentity)
        #expect(inspection.schema.version == inspection.schema.supportedVersion)
        #expect(inspection.schema.pendingMigrations.isEmpty)
        let contents = try #require(inspection.contents)
        #expect(contents.pendingMessages == 10)
        #expect(contents.pendingBytes == heldAll, "pending bytes count as the size bound counts held bytes")
        #expect(contents.link == nil)
        _ = try store.acknowledgeAndWait(through: 4)
        let later = try #require(try StoreInspection.inspect(directory: directory.path).contents)
        #expect(later.pendingMessages == 6)
        #expect(later.pendingBytes < heldAll)
        #expect(later.sequence.ackedSeq == 4)
        store.close()
    }

    @Test("an older schema is reported with the migrations this binary would apply, and left as it is")
    func olderSchemaIsNotMigrated() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        let latest = try #require(embeddedMigrations.max { $0.version < $1.version })
        try Self.raw(directory).run("DELETE FROM schema_migrations WHERE version = ?", [.integer(Int64(latest.version))])
        let inspection = try StoreInspection.inspect(directory: directory.path)
        #expect(inspection.schema.version == latest.version - 1)
        #expect(inspection.schema.pendingMigrations == [latest.name])
        #expect(try Self.raw(directory).int64("SELECT count(*) FROM schema_migrations WHERE version = ?", [.integer(Int64(latest.version))]) == 0)
    }

    @Test("a newer schema is reported, not refused, and its tables are not read")
    func newerSchemaIsReported() throws {
        let directory = TemporaryDirectory()
        try openStore(directory).close()
        try Self.raw(directory).run("INSERT INTO schema_migrations(version, name, checksum, applied_at_ms) VALUES (999, '0999_future', 'x', 0)")
        let inspection = try StoreInspection.inspect(directory: directory.path)
        #expect(inspection.schema.isNewerThanThisBinary)
        #expect(inspection.contents == nil)
    }

    @Test("an SQLite file of something else is not an outbox")
    func foreignFile() throws {
        let directory = TemporaryDirectory()
        try Database(path: directory.path + "/" + OutboxStore.fileName).execute("CREATE TABLE notes(text TEXT)")
        #expect {
            try StoreInspection.inspect(directory: directory.path)
        } throws: { error in
            if case OutboxError.notAnOutbox = error { return true }
            return false
        }
    }

    @Test("quick_check and integrity_check find pages overwritten behind SQLite's back; a clean store passes both")
    func integrityFindsDamage() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        var generator = traffic()
        for _ in 0..<10 { _ = try store.appendAndWait((0..<200).map { _ in generator.next() }) }
        store.close()
        for depth in [StoreIntegrity.Depth.quick, .full] {
            #expect(try StoreIntegrity.check(directory: directory.path, depth: depth, timeLimit: nil) == .clean)
        }
        let path = directory.path + "/" + OutboxStore.fileName
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let pageSize = 8192
        let pages = Int(try handle.seekToEnd()) / pageSize
        #expect(pages > 8, "\(pages) pages")
        for page in [pages / 2, pages / 2 + 1, pages - 2] {
            try handle.seek(toOffset: UInt64(page * pageSize))
            try handle.write(contentsOf: Data(repeating: 0x5A, count: pageSize))
        }
        try handle.close()
        for depth in [StoreIntegrity.Depth.quick, .full] {
            guard case .damaged(let findings) = try StoreIntegrity.check(directory: directory.path, depth: depth, timeLimit: nil) else {
                Issue.record("\(depth) check found no damage")
                continue
            }
            #expect(!findings.isEmpty && findings.count <= StoreIntegrity.maxFindings)
        }
    }
}
