import ConnectorCore
@_spi(Faults) @testable import OutboxStore
import Testing

@Suite("Dedupe by event_id and report_id (R2)")
struct DedupeTests {
    /// Appends the same usage report three times and returns how many ledger rows and log rows hold it.
    static func copiesHeld(faults: OutboxFaults) async throws -> (ledger: Int64, log: Int, reports: Int64) {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults)
        defer { store.close() }
        let report = Drafts.usage("req-1", reportID: "report-1", tokens: 500)
        var results: [AppendedMessage] = []
        for _ in 0..<3 { results.append(try await store.append(report)) }
        let reader = try store.makeReader()
        let totals = try reader.meteringTotals(fromDay: "2026-01-01", toDay: "2027-01-01", groupBy: [])
        let log = try reader.inspect(InspectFilter()).count
        return (try reader.db.int64("SELECT count(*) FROM usage_ledger"), log, totals.first?.reports ?? 0)
    }

    @Test("a repeated report is stored and counted once")
    func repeatedReportCountedOnce() async throws {
        let held = try await Self.copiesHeld(faults: [])
        #expect(held.ledger == 1 && held.log == 1 && held.reports == 1)
    }

    @Test("negative control: storing repeats under a fresh key counts the report three times")
    func dedupeNegativeControl() async throws {
        let held = try await Self.copiesHeld(faults: .ignoreNaturalKey)
        #expect(held.reports == 3)
    }

    @Test("a repeat returns the stored message; different content under the same key is a conflict")
    func duplicateAndConflict() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        let event = Drafts.event("req-1", "accepted", eventID: "evt-1", data: ["job_type": "tool"])
        let first = try await store.append(event)
        let again = try await store.append(event)
        #expect(!first.duplicate && again.duplicate)
        #expect(again.seq == first.seq && again.id == first.id)
        let changed = Drafts.event("req-1", "accepted", eventID: "evt-1", data: ["job_type": "chain"])
        do {
            _ = try await store.append(changed)
            Issue.record("a conflicting event_id was accepted")
        } catch let error as OutboxError {
            guard case .duplicateConflict = error else { Issue.record("wrong error \(error)"); return }
        }
        #expect(try store.makeReader().sequenceState().lastSeq == 1)
    }

    @Test("a usage report retried after its log row was pruned is still not counted twice")
    func retryAfterPrune() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try openStore(directory, clock: clock)
        defer { store.close() }
        let report = Drafts.usage("req-1", reportID: "report-9")
        let first = try await store.append(report)
        _ = try await store.acknowledge(through: first.seq)
        clock.advance(byMS: OutboxStore.defaultRetentionMS + 1)
        #expect(try store.prune().messages == 1)
        let retry = try await store.append(report)
        #expect(retry.duplicate && retry.seq == first.seq && retry.id == first.id)
        let reader = try store.makeReader()
        #expect(try reader.db.int64("SELECT count(*) FROM usage_ledger") == 1)
        #expect(try reader.verify().isClean)
    }
}
