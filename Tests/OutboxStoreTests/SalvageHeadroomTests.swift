import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import Testing

/// Salvage runs beside the service. Filling the store to its size bound would make the service's
/// next appends drop unacked progress events (R4) or fail with outboxFull: salvage must stop short
/// of the bound and leave room for the live messages.
@Suite("Salvage leaves headroom under the size bound")
struct SalvageHeadroomTests {
    struct Outcome {
        var report: SalvageReport
        var heldAfterSalvage: Int64
        var liveFailures = 0
        var dropped: Int64 = 0
    }

    static let bound: Int64 = 40_000

    /// A live store with its own progress events salvages a file too large for it, then the service
    /// appends more progress events: a tenth of the bound.
    static func liveAppendsAfterSalvage(faults: OutboxFaults = []) async throws -> Outcome {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 300)
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        let live = try openStore(directory, faults: faults) { $0.maxOutboxBytes = bound }
        defer { live.close() }
        let progress: (Int) -> MessageDraft = {
            Drafts.event("req-live", "progress", eventID: "live-\($0)", data: ["message": "live work"])
        }
        _ = try await live.append((0..<10).map(progress))
        let source = try SalvageSource.open(moved, scratchDirectory: directory.path)
        defer { source.close() }
        var outcome = Outcome(report: try live.salvage(from: source), heldAfterSalvage: try live.makeReader().sequenceState().heldBytes)
        var held: Int64 = 0
        var index = 10
        while held < bound / 10 {
            do {
                _ = try await live.append(progress(index))
            } catch {
                outcome.liveFailures += 1
            }
            held += 150
            index += 1
        }
        outcome.dropped = try live.makeReader().stats().droppedMessages
        return outcome
    }

    @Test("salvage stops with a fifth of the bound free; the service's appends after it drop nothing and all succeed")
    func liveAppendsKeepTheirRoom() async throws {
        let outcome = try await Self.liveAppendsAfterSalvage()
        guard case .outboxFull? = outcome.report.stoppedBy else {
            Issue.record("the file was meant to be too large for the store: \(String(describing: outcome.report.stoppedBy))")
            return
        }
        #expect(outcome.heldAfterSalvage <= Self.bound - Self.bound / 5, "held \(outcome.heldAfterSalvage) of \(Self.bound)")
        #expect(outcome.report.ceilingBytes == Self.bound - Self.bound / 5 && outcome.report.boundBytes == Self.bound)
        #expect(outcome.liveFailures == 0)
        #expect(outcome.dropped == 0, "\(outcome.dropped) unacked progress events dropped")
    }

    @Test("negative control: salvage filling the store to the bound makes the service's next appends drop progress events")
    func withoutHeadroomLiveAppendsPay() async throws {
        let outcome = try await Self.liveAppendsAfterSalvage(faults: .salvageWithoutHeadroom)
        #expect(outcome.dropped > 0 || outcome.liveFailures > 0)
    }
}
