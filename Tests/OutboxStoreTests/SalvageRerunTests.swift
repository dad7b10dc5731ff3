import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import Testing

/// Salvage is run again — by an operator who is not sure it finished, or because it stopped at the
/// size bound — after the cloud acked what the first run appended and the store pruned it. The
/// messages are then no longer in the log, and must still not be appended a second time.
@Suite("Salvage run again after its messages were acked and pruned")
struct SalvageRerunTests {
    /// What the device's own history says: ledger rows and every execution's event count.
    struct History: Equatable {
        var ledgerReports: Int64
        var eventCounts: [Int64]
    }

    static func history(_ store: OutboxStore, requests: Int) throws -> History {
        let reader = try store.makeReader()
        return History(
            ledgerReports: try reader.stats().ledgerReports,
            eventCounts: try (0..<requests).map { try reader.timeline(requestID: "req-\($0)")?.summary.eventCount ?? 0 })
    }

    static func salvage(_ store: OutboxStore, _ file: String, scratch: String) throws -> SalvageReport {
        let source = try SalvageSource.open(file, scratchDirectory: scratch)
        defer { source.close() }
        return try store.salvage(from: source)
    }

    /// The cloud acks every message the store holds, as the running service would have it do.
    static func cloudAcksEverything(_ store: OutboxStore) throws {
        let last = try store.makeReader().lastAssignedSeq()
        if last > 0 { _ = try store.acknowledgeAndWait(through: last) }
    }

    /// Salvages a 60-message file, lets the cloud ack and retention prune it all, salvages it again.
    static func salvageAckPruneSalvage(faults: OutboxFaults = []) async throws -> (second: SalvageReport, historyKept: Bool, lastSeq: Int64) {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 60)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory, faults: faults)
        defer { live.close() }
        let first = try Self.salvage(live, moved, scratch: directory.path)
        #expect(first.salvaged == 60 && first.isComplete)
        let before = try Self.history(live, requests: 6)
        try Self.cloudAcksEverything(live)
        #expect(try live.prune(retentionMS: 0).messages == 60)
        let second = try Self.salvage(live, moved, scratch: directory.path)
        #expect(try live.makeReader().verify().isClean)
        return (second, try Self.history(live, requests: 6) == before, try live.makeReader().lastAssignedSeq())
    }

    @Test("salvage, the cloud acks, retention prunes, salvage again: nothing is appended twice, the history is unchanged")
    func rerunAfterPrune() async throws {
        let (second, historyKept, lastSeq) = try await Self.salvageAckPruneSalvage()
        #expect(second.salvaged == 0 && second.alreadyPresent == 60, "salvaged \(second.salvaged), present \(second.alreadyPresent)")
        #expect(second.isComplete)
        #expect(historyKept, "timelines or the ledger changed")
        #expect(lastSeq == 60)
    }

    @Test("negative control: without the retired ids the second run appends the pruned messages again")
    func forgettingRetiredIDsAppendsTwice() async throws {
        let (second, historyKept, _) = try await Self.salvageAckPruneSalvage(faults: .forgetRetiredIDs)
        #expect(second.salvaged > 0)
        #expect(!historyKept)
    }

    @Test("stopped at the size bound, then the cloud acks and the bound prunes: each run goes on where the last stopped, every message is appended once")
    func continuesAcrossTheBound() async throws {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 200)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory) { $0.maxOutboxBytes = 24_000 }
        defer { live.close() }
        var appended: Int64 = 0
        var runs = 0
        var last: SalvageReport?
        repeat {
            let report = try Self.salvage(live, moved, scratch: directory.path)
            appended += report.salvaged
            runs += 1
            last = report
            // No prune by hand: the next run's appends make room by retiring the acked prefix.
            try Self.cloudAcksEverything(live)
        } while last?.stoppedBy != nil && runs < 40
        #expect(runs > 1, "the bound must stop the first run")
        #expect(last?.isComplete == true, "still stopped after \(runs) runs: \(String(describing: last?.stoppedBy))")
        #expect(appended == 200, "\(appended) appended over \(runs) runs for 200 messages")
        let history = try Self.history(live, requests: 20)
        #expect(history.ledgerReports == 20)
        #expect(history.eventCounts == Array(repeating: 8, count: 20), "\(history.eventCounts)")
        #expect(try live.makeReader().verify().isClean)
    }
}
