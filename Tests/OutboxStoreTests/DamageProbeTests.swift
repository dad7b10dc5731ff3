import ConnectorCore
import Foundation
import Logging
@_spi(Faults) @testable import OutboxStore
import SQLiteDB
import Testing

/// The start-up probe (`OutboxOptions.probeForDamageAtOpen`, set by `run`) on real damaged files:
/// pages the old open checks never read are overwritten with garbage, and the open must fail with
/// `corrupt` — which `run` answers by quarantining the file.
@Suite("Start-up damage probe")
struct DamageProbeTests {
    /// Opens with the probe; nil when the open refused the store as damaged.
    static func probedOpen(_ directory: TemporaryDirectory, faults: OutboxFaults = [], quickCheckMaxPages: Int64) -> OutboxError? {
        do {
            let store = try openStore(directory, faults: faults) { options in
                options.probeForDamageAtOpen = true
                options.quickCheckMaxPages = quickCheckMaxPages
            }
            store.close()
            return nil
        } catch let error as OutboxError {
            return error
        } catch {
            return .unitRejected(reason: "\(error)")
        }
    }

    /// A store with `count` messages, damaged on the leaf `leaf` (negative: from the end) of `btree`.
    static func damagedStore(count: Int, btree: String, leaf: Int) async throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: count, ackedThrough: Int64(count / 3))
        let path = directory.path + "/outbox.sqlite"
        let leaves = try PageDamage.leaves(path, of: btree)
        try PageDamage.overwrite(path, pages: [leaves[leaf < 0 ? leaves.count + leaf : leaf].number])
        return directory
    }

    static func isCorrupt(_ error: OutboxError?) -> Bool {
        if case .corrupt? = error { return true }
        return false
    }

    @Test("a healthy store passes both probes: the edge reads and quick_check")
    func healthyStorePasses() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 1_500, ackedThrough: 500)
        #expect(Self.probedOpen(directory, quickCheckMaxPages: 0) == nil)
        #expect(Self.probedOpen(directory, quickCheckMaxPages: 1_000_000) == nil)
        let empty = TemporaryDirectory()
        #expect(Self.probedOpen(empty, quickCheckMaxPages: 0) == nil)
    }

    /// Damage the cheap open checks do not see: they read only the first and the last log row.
    static let edgeTargets: [(btree: String, leaf: Int)] = [
        ("outbox", -2), ("outbox_natural_key", -1), ("usage_ledger_by_day", -1), ("executions", 0),
    ]

    @Test("damage in the newest pages and at the edges of the indexes and projections is found at open", arguments: 0..<4)
    func edgeDamageIsFound(target: Int) async throws {
        let (btree, leaf) = Self.edgeTargets[target]
        let directory = try await Self.damagedStore(count: 1_500, btree: btree, leaf: leaf)
        #expect(Self.isCorrupt(Self.probedOpen(directory, quickCheckMaxPages: 0)), "\(btree) leaf \(leaf)")
    }

    @Test("negative control: without the probe the same damaged stores open as if healthy", arguments: 0..<4)
    func withoutTheProbeDamageIsMissed(target: Int) async throws {
        let (btree, leaf) = Self.edgeTargets[target]
        let directory = try await Self.damagedStore(count: 1_500, btree: btree, leaf: leaf)
        #expect(!Self.isCorrupt(Self.probedOpen(directory, faults: .skipStartupProbe, quickCheckMaxPages: 0)))
    }

    /// Takes the last leaf page off the freelist (its trunk's leaf count and the header's freelist
    /// count one lower), as a crash in an old SQLite or a bad tool could: the page is then used by
    /// nothing, "never used" to quick_check. It wastes 8 KiB; every row still reads.
    static func leakFreePage(_ path: String) throws {
        do {
            // Free pages to leak: a scratch table written and dropped.
            let db = try Database(path: path, mode: .readWrite(create: false))
            try db.execute("CREATE TABLE scratch (x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO scratch SELECT randomblob(3000) FROM n; DROP TABLE scratch")
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let word: (UInt64) throws -> UInt32 = { offset in
            try handle.seek(toOffset: offset)
            return try handle.read(upToCount: 4)!.reduce(0) { $0 << 8 | UInt32($1) }
        }
        let put: (UInt64, UInt32) throws -> Void = { offset, value in
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) })
        }
        let trunk = UInt64(try word(32))
        let freePages = try word(36)
        let leaves = try word((trunk - 1) * 8192 + 4)
        #expect(trunk > 0 && leaves > 0, "the scratch table left no free leaf page")
        try put((trunk - 1) * 8192 + 4, leaves - 1)
        try put(36, freePages - 1)
        try handle.synchronize()
    }

    @Test("quick_check findings that lose nothing (a leaked page) are logged, not quarantined; unreadable pages still are")
    func leakedPageIsNotDamage() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 100)
        let path = directory.path + "/outbox.sqlite"
        try Self.leakFreePage(path)
        let findings = try Database(path: path, mode: .readOnly).all("PRAGMA quick_check").compactMap { $0.first?.text }
        #expect(findings.contains { $0.contains("never used") }, "the leak did not show: \(findings)")
        #expect(Self.probedOpen(directory, quickCheckMaxPages: 1_000_000) == nil)
        let logged = try DamageProbe.run(
            Database(path: path, mode: .readOnly), quickCheckMaxPages: 1_000_000, logger: Logger(label: "test.probe"))
        #expect(logged.count == 1 && logged.allSatisfy { $0.hasSuffix("never used") }, "\(logged)")
        // doctor's check says the same: wasted space, not damage.
        #expect(try StoreIntegrity.check(directory: directory.path, depth: .quick, timeLimit: nil) == .wastedSpace(logged))
        // The same store with an unreadable page as well is still refused.
        try PageDamage.overwrite(path, pages: [try #require(try PageDamage.leaves(path, of: "outbox").first).number])
        #expect(Self.isCorrupt(Self.probedOpen(directory, quickCheckMaxPages: 1_000_000)))
    }

    @Test("quick_check lines: a leaked page is harmless in either SQLite wording; everything else, and anything unknown, is damage")
    func findingClassification() {
        let harmless = [
            "Page 104 is never used", "Page 7: never used", "*** in database main ***\nPage 104 is never used",
        ]
        for row in harmless {
            #expect(QuickCheckFinding.parse([row]).allSatisfy { if case .harmless = $0 { true } else { false } }, "\(row)")
            #expect(QuickCheckFinding.parse([row]).count == 1, "\(row)")
        }
        let damage = [
            "*** in database main ***\nOn tree page 7 cell 0: invalid page number 999",
            "Page 12: btreeInitPage() returns error code 11", "Freelist: size is 3 but should be 4",
            "2nd reference to page 5", "Multiple uses for byte 100 of page 3", "NULL value in outbox.payload",
            "CHECK constraint failed in outbox", "Tree 3 page 9 cell 2: Rowid 5 out of order",
            "Page 12 is never used, and more", "Pages 1 is never used", "something SQLite says one day",
        ]
        for row in damage {
            #expect(QuickCheckFinding.parse([row]) == [.damage(row.replacingOccurrences(of: "*** in database main ***\n", with: ""))], "\(row)")
        }
        #expect(QuickCheckFinding.parse(["ok"]).isEmpty)
        #expect(QuickCheckFinding.parse(["Page 3 is never used\nPage 4: btreeInitPage() returns error code 11"])
            == [.harmless("Page 3 is never used"), .damage("Page 4: btreeInitPage() returns error code 11")])
    }

    @Test("a small store gets quick_check: damage in the middle of its log is found; skipping the probe misses it")
    func smallStoreMiddleDamage() async throws {
        let directory = try await Self.damagedStore(count: 400, btree: "outbox", leaf: 2)
        #expect(Self.isCorrupt(Self.probedOpen(directory, quickCheckMaxPages: 256)))
        #expect(!Self.isCorrupt(Self.probedOpen(directory, faults: .skipStartupProbe, quickCheckMaxPages: 256)))
    }
}
