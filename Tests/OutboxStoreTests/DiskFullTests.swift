import ConnectorCore
import Foundation
@_spi(Faults) import OutboxStore
import Testing

/// A full disk, two ways: `PRAGMA max_page_count` on the writer (`OutboxOptions.maxPageCount`), which
/// runs everywhere, and a real ENOSPC from a small tmpfs, where this process may mount one. Either
/// way appends fail with a typed error that says what to do, every append that returned is kept,
/// the store stays consistent, and appends work again once there is room.
@Suite("Disk full", .serialized)
struct DiskFullTests {
    /// How the disk fills up, and how room comes back.
    enum Room {
        /// The writer's page cap; room comes back when the store is reopened without it.
        case pageCap
        /// The store lives on this small tmpfs; room comes back when it is remounted larger.
        case tmpfs(SmallTmpfs)
    }

    struct Outcome {
        var returned: [Int64] = []
        var failure: OutboxError?
        var afterReopen: Backlog?
        var verifyClean = false
        var meteredReports: Int64 = 0
        var appendAfterRoom: Int64?
    }

    /// Appends an execution event and a usage report per unit until the cap stops them, then
    /// reopens without the cap (the room is back) and looks at what is there.
    static func fill(_ room: Room = .pageCap, faults: OutboxFaults = []) async throws -> Outcome {
        let directory: TemporaryDirectory
        switch room {
        case .pageCap: directory = TemporaryDirectory()
        case .tmpfs(let tmpfs): directory = tmpfs.directory
        }
        var outcome = Outcome()
        do {
            let store = try openStore(directory, faults: faults) { options in
                if case .pageCap = room { options.maxPageCount = 48 }
                options.compressionThreshold = Int.max
            }
            let filler = String(repeating: "quite incompressible? no, but uncompressed: ", count: 40)
            // Far more than either disk holds (a round is over 3.6 KiB), yet bounded for a writer that
            // never reports the full disk.
            for round in 0..<2_000 {
                do {
                    let appended = try await store.append(
                        [Drafts.event("req-\(round)", "progress", data: ["message": .string(filler)]),
                         Drafts.usage("req-\(round)", reportID: "rep-\(round)")])
                    outcome.returned += appended.map(\.seq)
                } catch let error as OutboxError {
                    outcome.failure = error
                    break
                }
            }
            store.close()
        }
        if case .tmpfs(let tmpfs) = room { try tmpfs.grow(toMiB: 32) }
        let reopened = try openStore(directory)
        defer { reopened.close() }
        let reader = try reopened.makeReader()
        outcome.afterReopen = try reader.backlog()
        outcome.verifyClean = try reader.verify().isClean
        outcome.meteredReports = try reader.meteringTotals(fromDay: "2000-01-01", toDay: "2100-01-01", groupBy: [])
            .reduce(0) { $0 + $1.reports }
        outcome.appendAfterRoom = try? await reopened.append(Drafts.usage("req-after", reportID: "rep-after")).seq
        return outcome
    }

    /// What is wrong with `outcome`, if anything.
    static func problems(_ outcome: Outcome) -> [String] {
        var problems: [String] = []
        guard let failure = outcome.failure else { return ["the cap was never reached"] }
        if case .storage(_, let sqlite) = failure, sqlite.isDiskFull {
            if !failure.description.contains("the disk is full") || !failure.description.contains("free disk space and retry") {
                problems.append("the error does not say what to do: \(failure)")
            }
        } else {
            problems.append("not the disk-full error: \(failure)")
        }
        if outcome.returned.count < 4 { problems.append("only \(outcome.returned.count) appends fit") }
        let held = outcome.afterReopen?.pending ?? -1
        if held != Int64(outcome.returned.count) { problems.append("\(outcome.returned.count) appends returned, \(held) held") }
        if outcome.afterReopen?.lastSeq != outcome.returned.last { problems.append("last seq is not the last returned one") }
        if !outcome.verifyClean { problems.append("verify is not clean") }
        if outcome.meteredReports != Int64(outcome.returned.count / 2) { problems.append("\(outcome.meteredReports) reports metered") }
        if outcome.appendAfterRoom != (outcome.returned.last ?? 0) + 1 { problems.append("no append once there was room") }
        return problems
    }

    @Test("appends past the cap fail with the disk-full error; every returned one is kept; verify clean; appends resume")
    func fullDiskLosesNothing() async throws {
        let outcome = try await Self.fill()
        #expect(Self.problems(outcome).isEmpty, "\(Self.problems(outcome))")
    }

    @Test("negative control: carrying on after SQLite rolled the batch back gives callers the wrong answer")
    func carryingOnAfterTheRollback() async throws {
        let outcome = try await Self.fill(faults: .ignoreBatchRollback)
        #expect(!Self.problems(outcome).isEmpty)
    }

    @Test("on a real full disk (a 3 MiB tmpfs): the same, and appends resume once the tmpfs has room",
          .enabled(if: SmallTmpfs.unavailableReason == nil, "\(SmallTmpfs.unavailableReason ?? "")"))
    func realFullDiskLosesNothing() async throws {
        let tmpfs = try SmallTmpfs(sizeMiB: 3)
        let outcome = try await Self.fill(.tmpfs(tmpfs))
        #expect(Self.problems(outcome).isEmpty, "\(Self.problems(outcome))")
    }

    /// On a real ENOSPC in WAL mode the failure comes at COMMIT, which SQLite fails as a whole, so
    /// the rollback fault above has nothing to bite on here; answering before the commit does.
    @Test("negative control on the real full disk: an append that answers before its commit is caught",
          .enabled(if: SmallTmpfs.unavailableReason == nil, "\(SmallTmpfs.unavailableReason ?? "")"))
    func answeringBeforeTheCommitOnTmpfs() async throws {
        let tmpfs = try SmallTmpfs(sizeMiB: 3)
        let outcome = try await Self.fill(.tmpfs(tmpfs), faults: .returnBeforeCommit)
        #expect(!Self.problems(outcome).isEmpty)
    }
}
