import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import SQLiteDB
import Testing

/// Salvage from real damaged files: a store is built, closed, pages of its log are overwritten with
/// garbage, it is moved aside as `run` does, and a fresh store salvages it. The pre-damage copy is the
/// reference: every message on an undamaged page must come back with its id, ts and payload.
@Suite("Salvage")
struct SalvageTests {
    /// Every message of a healthy store, by seq, with its payload.
    static func messages(in directory: String, identity: StoreIdentity = testIdentity) throws -> [StoredMessage] {
        let store = try OutboxStore.open(directory: directory, identity: identity)
        defer { store.close() }
        let reader = try store.makeReader()
        var all: [StoredMessage] = []
        var filter = InspectFilter()
        filter.limit = 1_000
        while true {
            let page = try reader.inspect(filter, after: all.last?.seq ?? 0)
            for summary in page { if let message = try reader.message(seq: summary.seq) { all.append(message) } }
            if page.count < filter.limit { return all }
        }
    }

    static func copyStore(from directory: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory + "/outbox.sqlite", toPath: target + "/outbox.sqlite")
    }

    struct Outcome {
        var reference: [StoredMessage] = []
        var live: [StoredMessage] = []
        var report: SalvageReport?
        var second: SalvageReport?
        var damagedSeqs: Set<Int64> = []
        var inputUnchanged = false
        var liveVerifyClean = false
        var ledgerReports: Int64 = 0
    }

    /// Builds a source, damages the outbox leaves at `damagedLeaves` (indexes in key order; negative
    /// counts from the end), moves it aside, salvages it twice into a fresh store.
    static func salvageDamaged(count: Int = 1_500, damagedLeaves: [Int], faults: OutboxFaults = []) async throws -> Outcome {
        let directory = TemporaryDirectory()
        let reference = TemporaryDirectory()
        var outcome = Outcome()
        try await PageDamage.buildStore(directory, count: count, ackedThrough: Int64(count / 2))
        try copyStore(from: directory.path, to: reference.path + "/store")
        outcome.reference = try messages(in: reference.path + "/store")

        let path = directory.path + "/outbox.sqlite"
        let leaves = try PageDamage.leaves(path, of: "outbox")
        let targets = damagedLeaves.map { leaves[$0 < 0 ? leaves.count + $0 : $0] }
        for target in targets { outcome.damagedSeqs.formUnion(try PageDamage.seqs(path, onLeaf: target.number)) }
        try PageDamage.overwrite(path, pages: targets.map(\.number))
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let before = PageDamage.bytes(moved)

        let live = try openStore(directory, faults: faults)
        for _ in 0..<2 {
            let source = try SalvageSource.open(moved, scratchDirectory: directory.path)
            let report = try live.salvage(from: source)
            source.close()
            if outcome.report == nil { outcome.report = report } else { outcome.second = report }
        }
        outcome.liveVerifyClean = try live.makeReader().verify().isClean
        outcome.ledgerReports = try live.makeReader().stats().ledgerReports
        live.close()
        outcome.live = try messages(in: directory.path)
        outcome.inputUnchanged = PageDamage.bytes(moved) == before
            && !FileManager.default.fileExists(atPath: moved + "-shm")
            && !FileManager.default.fileExists(atPath: moved + "-wal")
        return outcome
    }

    /// What is wrong with a salvage of a damaged store, if anything.
    static func problems(_ outcome: Outcome) -> [String] {
        var problems: [String] = []
        guard let report = outcome.report, let second = outcome.second else { return ["no report"] }
        let live = Dictionary(outcome.live.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unreadable = report.unreadable.map { ($0.from, $0.to ?? Int64.max) }
        var lost = 0
        for message in outcome.reference {
            if unreadable.contains(where: { message.seq >= $0.0 && message.seq <= $0.1 }) {
                lost += 1
                if !outcome.damagedSeqs.contains(message.seq) {
                    problems.append("seq \(message.seq) was on an undamaged page but is reported unreadable")
                }
                continue
            }
            guard let salvaged = live[message.id] else {
                problems.append("seq \(message.seq) (id \(message.id)) is missing from the live store")
                continue
            }
            if salvaged.createdAtMS != message.createdAtMS { problems.append("seq \(message.seq): ts changed") }
            if salvaged.type != message.type { problems.append("seq \(message.seq): type changed") }
            if salvaged.payload != message.payload { problems.append("seq \(message.seq): payload changed") }
        }
        if lost != outcome.damagedSeqs.count {
            problems.append("\(lost) messages reported unreadable, \(outcome.damagedSeqs.count) were on the damaged pages")
        }
        if outcome.live.count != outcome.reference.count - lost {
            problems.append("the live store holds \(outcome.live.count) messages, expected \(outcome.reference.count - lost)")
        }
        if report.read != Int64(outcome.reference.count - lost) || report.salvaged != report.read {
            problems.append("read \(report.read), salvaged \(report.salvaged), expected \(outcome.reference.count - lost) each")
        }
        if second.salvaged != 0 || second.alreadyPresent != report.read {
            problems.append("the second run salvaged \(second.salvaged) and found \(second.alreadyPresent) present")
        }
        let reports = outcome.reference.filter { $0.type == .usageReport && live[$0.id] != nil }.count
        if outcome.ledgerReports != Int64(reports) { problems.append("ledger holds \(outcome.ledgerReports), expected \(reports)") }
        if !outcome.liveVerifyClean { problems.append("verify of the live store is not clean") }
        if !outcome.inputUnchanged { problems.append("the input file changed or got a -wal/-shm") }
        return problems
    }

    @Test("every message on an undamaged page comes back with its id, ts and payload; the damaged pages are reported; a second run appends nothing")
    func salvagesAroundDamagedPages() async throws {
        let outcome = try await Self.salvageDamaged(damagedLeaves: [5, 6, 20])
        #expect(Self.problems(outcome).isEmpty, "\(Self.problems(outcome))")
        #expect(outcome.report?.unreadable.count == 2, "two adjacent leaves are one range: \(outcome.report?.unreadable ?? [])")
        #expect(outcome.report?.isComplete == false)
        #expect(outcome.second?.firstSeq == nil)
    }

    @Test("damage at the first and the last page: the ranges run from the first seq and to the file's last seq")
    func salvagesAroundDamagedEnds() async throws {
        let outcome = try await Self.salvageDamaged(damagedLeaves: [0, -1])
        #expect(Self.problems(outcome).isEmpty, "\(Self.problems(outcome))")
        let ranges = outcome.report?.unreadable ?? []
        #expect(ranges.first?.from == 1)
        #expect(ranges.last?.to == Int64(outcome.reference.count))
    }

    @Test("negative control: salvaging under new ids breaks id preservation")
    func newIDsAreCaught() async throws {
        let outcome = try await Self.salvageDamaged(damagedLeaves: [5], faults: .salvageWithoutIDs)
        #expect(!Self.problems(outcome).isEmpty)
    }

    @Test("a file with a WAL is read from a private copy: every message, the file and its WAL untouched, the copy removed")
    func fileWithWAL() async throws {
        let directory = TemporaryDirectory()
        let crashed = TemporaryDirectory()
        let store = try openStore(directory)
        for round in 0..<4 { _ = try await store.append((0..<25).map { Drafts.event("req-\(round)", "progress", eventID: "ev-\(round)-\($0)", data: ["message": "working"]) }) }
        // Copied while open: the rows are still in the WAL, as after a crash.
        let file = crashed.path + "/outbox.sqlite.corrupt-20261203T161000Z"
        try FileManager.default.copyItem(atPath: directory.path + "/outbox.sqlite", toPath: file)
        try FileManager.default.copyItem(atPath: directory.path + "/outbox.sqlite-wal", toPath: file + "-wal")
        store.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: file + "-wal")).count > 0)
        let before = (PageDamage.bytes(file), PageDamage.bytes(file + "-wal"))

        let liveDirectory = TemporaryDirectory()
        let live = try openStore(liveDirectory)
        defer { live.close() }
        let source = try SalvageSource.open(file, scratchDirectory: liveDirectory.path)
        let report = try live.salvage(from: source)
        source.close()
        #expect(report.read == 100 && report.salvaged == 100 && report.isComplete)
        #expect(PageDamage.bytes(file) == before.0 && PageDamage.bytes(file + "-wal") == before.1)
        #expect(!FileManager.default.fileExists(atPath: file + "-shm"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: liveDirectory.path).filter { $0.hasPrefix(".salvage-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a usage report already in the live store (same report_id) is counted present, billed once")
    func reportAlreadyInLiveStore() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 40)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory)
        defer { live.close() }
        // Local-Core retried this report into the fresh store before the salvage.
        _ = try await live.append(Drafts.usage("req-0", reportID: "rep-4", tokens: 104))
        let source = try SalvageSource.open(moved, scratchDirectory: directory.path)
        let report = try live.salvage(from: source)
        #expect(report.read == 40 && report.alreadyPresent == 1 && report.salvaged == 39)
        let reader = try live.makeReader()
        #expect(try reader.stats().ledgerReports == 4)
        let totals = try reader.meteringTotals(fromDay: "2000-01-01", toDay: "2100-01-01", groupBy: [])
        #expect(totals.reduce(0) { $0 + $1.reports } == 4)
        #expect(try reader.verify().isClean)
    }

    @Test("another tenant is refused, another device only with allowOtherDevice, the store itself or a copy of it is refused")
    func ownership() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 10)
        let file = directory.path + "/outbox.sqlite"
        for (device, tenant) in [("dev-other", testIdentity.tenantID), (testIdentity.deviceID, "tenant-other")] {
            let liveDirectory = TemporaryDirectory()
            let live = try OutboxStore.open(
                directory: liveDirectory.path, identity: StoreIdentity(deviceID: device, tenantID: tenant))
            defer { live.close() }
            let source = try SalvageSource.open(file, scratchDirectory: liveDirectory.path)
            #expect(throws: SalvageError.self) { try live.salvage(from: source) }
            var options = SalvageOptions()
            options.allowOtherDevice = true
            if tenant == testIdentity.tenantID {
                #expect(try live.salvage(from: source, options: options).salvaged == 10)
            } else {
                #expect(throws: SalvageError.self) { try live.salvage(from: source, options: options) }
            }
        }
        let copy = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: file, toPath: copy.path + "/copy.sqlite")
        let live = try openStore(directory)
        defer { live.close() }
        let source = try SalvageSource.open(copy.path + "/copy.sqlite", scratchDirectory: directory.path)
        do {
            _ = try live.salvage(from: source)
            Issue.record("a copy of the live store was salvaged into it")
        } catch {
            guard case .sameStore = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("an open execution's usage so far is salvaged with its row; a file from before migration 5 (no such columns) still gives its rows")
    func inboxUsageSoFarAndOlderFiles() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let usage = #"{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"reported_tokens":true}"#
        _ = try await store.append(
            [Drafts.event("req-open", "accepted", data: ["job_type": "tool"])],
            rows: InboxRows.open("req-open", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: 1_000))
        _ = try await store.append([], rows: InboxRows.started("req-open", atMS: 1_100))
        _ = try await store.append([], rows: InboxRows.progress("req-open", usageSoFar: usage, atMS: 1_500))
        store.close()
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        // The same file as an older release would have left it: the inbox without migration 5's columns.
        let older = directory.path + "/older.sqlite"
        try FileManager.default.copyItem(atPath: moved, toPath: older)
        do {
            let db = try Database(path: older, mode: .readWrite(create: false))
            for column in ["usage_so_far", "last_output_at_ms", "started_at_ms"] { try db.execute("ALTER TABLE inbox DROP COLUMN \(column)") }
        }

        let live = try openStore(directory)
        defer { live.close() }
        let report = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        #expect(report.inboxCopied == 1 && report.isComplete)
        let entry = try #require(try live.makeReader().inboxEntry(requestID: "req-open"))
        #expect(entry.startedAtMS == 1_100 && entry.lastOutputAtMS == 1_500 && entry.usageSoFar == usage)

        let elsewhere = TemporaryDirectory()
        let fresh = try openStore(elsewhere)
        defer { fresh.close() }
        let fromOlder = try fresh.salvage(from: try SalvageSource.open(older, scratchDirectory: elsewhere.path))
        #expect(fromOlder.inboxRead == 1 && fromOlder.inboxCopied == 1 && fromOlder.isComplete)
        let olderEntry = try #require(try fresh.makeReader().inboxEntry(requestID: "req-open"))
        #expect(olderEntry.isOpen && olderEntry.startedAtMS == nil && olderEntry.usageSoFar == nil)
    }

    @Test("the file's inbox rows the store lacks are copied: answered requests stay answered (R11), open ones stay open for the next start to end (R13); the store's own rows are kept")
    func inboxRowsAreCopied() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let accepted: (String) -> MessageDraft = { Drafts.event($0, "accepted", data: ["job_type": "tool"]) }
        _ = try await store.append(
            [accepted("req-open")], rows: InboxRows.open("req-open", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: 1_000))
        _ = try await store.append(
            [accepted("req-done")],
            rows: InboxRows.answered("req-done", kind: .executionRequest, jobType: "tool", outcome: "refused", atMS: 1_000))
        _ = try await store.append(
            [accepted("req-both")],
            rows: InboxRows.answered("req-both", kind: .executionRequest, jobType: "tool", outcome: "refused", atMS: 1_000))
        store.close()
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory)
        defer { live.close() }
        // The cloud redelivered req-both after the quarantine, and the fresh store accepted it.
        _ = try await live.append(
            [accepted("req-both")], rows: InboxRows.open("req-both", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: 2_000))
        let report = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        #expect(report.inboxRead == 3 && report.inboxCopied == 2 && report.inboxOpenCopied == 1 && report.isComplete)
        let reader = try live.makeReader()
        #expect(try reader.inboxEntry(requestID: "req-done")?.outcome == "refused")
        #expect(try reader.inboxEntry(requestID: "req-both")?.receivedAtMS == 2_000, "the live row is kept")
        #expect(try reader.openInboxEntries(kind: .executionRequest).map(\.requestID).sorted() == ["req-both", "req-open"])
        let again = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        #expect(again.inboxCopied == 0 && again.salvaged == 0)
    }

    @Test("from another device: its answered requests are copied (R11), its open ones are not, so this device never ends another device's execution")
    func otherDeviceInbox() async throws {
        let directory = TemporaryDirectory()
        let replaced = StoreIdentity(deviceID: "dev-replaced", tenantID: testIdentity.tenantID)
        let store = try OutboxStore.open(directory: directory.path, identity: replaced)
        let accepted: (String) -> MessageDraft = { Drafts.event($0, "accepted", data: ["job_type": "tool"]) }
        _ = try await store.append(
            [accepted("req-open")], rows: InboxRows.open("req-open", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: 1_000))
        _ = try await store.append(
            [accepted("req-done")],
            rows: InboxRows.answered("req-done", kind: .executionRequest, jobType: "tool", outcome: "refused", atMS: 1_000))
        store.close()
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory)
        defer { live.close() }
        var options = SalvageOptions()
        options.allowOtherDevice = true
        let report = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path), options: options)
        #expect(report.salvaged == 2 && report.inboxRead == 2 && report.inboxCopied == 1)
        #expect(report.inboxOpenLeftOut == 1 && report.inboxOpenCopied == 0 && report.isComplete)
        let reader = try live.makeReader()
        #expect(try reader.inboxEntry(requestID: "req-done")?.outcome == "refused")
        #expect(try reader.inboxEntry(requestID: "req-open") == nil, "another device's open request was taken over")
        #expect(try reader.openInboxEntries(kind: .executionRequest).isEmpty)
    }

    @Test("--unacked-only leaves out what the file's cloud had acked")
    func unackedOnly() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 60, ackedThrough: 45)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory)
        defer { live.close() }
        var options = SalvageOptions()
        options.unackedOnly = true
        let report = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path), options: options)
        #expect(report.read == 60 && report.skippedAcked == 45 && report.salvaged == 15 && report.salvagedAcked == 0)
        let all = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        #expect(all.salvaged == 45 && all.salvagedAcked == 45 && all.alreadyPresent == 15)
    }

    @Test("salvage never drops the live store's unacked progress events: at the size bound it stops, and a later run goes on")
    func stopsAtTheSizeBound() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 200)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        var live = try openStore(directory) { $0.maxOutboxBytes = 24_000 }
        let own = try await live.append((0..<20).map { Drafts.event("req-live", "progress", eventID: "live-\($0)", data: ["message": "live work"]) })
        let report = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        guard case .outboxFull? = report.stoppedBy else {
            Issue.record("salvage did not stop at the bound: \(String(describing: report.stoppedBy))")
            return
        }
        #expect(report.salvaged > 0 && report.salvaged < 200)
        for message in own { #expect(try live.makeReader().message(seq: message.seq) != nil, "live progress event dropped") }
        live.close()
        live = try openStore(directory)
        defer { live.close() }
        let rest = try live.salvage(from: try SalvageSource.open(moved, scratchDirectory: directory.path))
        #expect(rest.salvaged == 200 - report.salvaged && rest.alreadyPresent == report.salvaged && rest.isComplete)
        #expect(try live.makeReader().verify().isClean)
    }
}

@Suite("Resuming past unreadable seqs")
struct UnreadableRangeSearchTests {
    @Test("finds the first readable seq after one damaged range, anywhere in a large log, in O(log n) seeks")
    func oneRange() {
        let rows = Array(Int64(1)...100_000)
        for damage in [Int64(1)...25, 500...530, 99_970...99_999, 40_000...40_000] {
            var probes = 0
            let resumed = UnreadableRangeSearch.resume(after: damage.lowerBound, bound: 100_000) { seq -> Int64?? in
                probes += 1
                if damage.contains(seq) { return nil }
                return .some(rows.first { $0 >= seq })
            }
            #expect(resumed?.seq == damage.upperBound + 1, "\(damage)")
            #expect(resumed?.value == damage.upperBound + 1)
            #expect(probes <= 2 * 17 + 2, "\(probes) probes for \(damage)")
        }
    }

    @Test("near Int64.max the search neither overflows nor runs past the bound")
    func nearTheTop() {
        #expect(UnreadableRangeSearch.resume(after: Int64.max - 10, bound: Int64.max) { _ -> Int64?? in nil } == nil)
        let resumed = UnreadableRangeSearch.resume(after: 1, bound: Int64.max) { seq -> Int64?? in seq < Int64.max - 2 ? nil : .some(seq) }
        #expect(resumed?.seq == Int64.max - 2)
    }

    @Test("damage to the end: nil; no row after the damage: readable with no row")
    func toTheEnd() {
        #expect(UnreadableRangeSearch.resume(after: 90, bound: 100) { seq -> Int64?? in seq >= 90 ? nil : .some(seq) } == nil)
        let resumed = UnreadableRangeSearch.resume(after: 90, bound: 100) { seq -> Int64?? in seq <= 95 ? nil : .some(nil) }
        #expect(resumed?.seq == 96)
        #expect(resumed.map { $0.value == nil } == true, "readable, and no row up to the bound")
    }
}
