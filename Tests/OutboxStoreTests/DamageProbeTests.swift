import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
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

    @Test("a small store gets quick_check: damage in the middle of its log is found; skipping the probe misses it")
    func smallStoreMiddleDamage() async throws {
        let directory = try await Self.damagedStore(count: 400, btree: "outbox", leaf: 2)
        #expect(Self.isCorrupt(Self.probedOpen(directory, quickCheckMaxPages: 256)))
        #expect(!Self.isCorrupt(Self.probedOpen(directory, faults: .skipStartupProbe, quickCheckMaxPages: 256)))
    }
}
