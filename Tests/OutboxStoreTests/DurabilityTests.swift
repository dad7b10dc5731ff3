import ConnectorCore
@_spi(Faults) @testable import OutboxStore
import Testing

/// Group commit and fsync. Each property is checked by a function that can fail, and a negative
/// control switches on the fault that breaks the property to show the check then fails.
@Suite("Durability and group commit")
struct DurabilityTests {
    /// Commits taken by `count` appends issued at once from as many tasks.
    static func transactionsFor(concurrentAppends count: Int, faults: OutboxFaults) async throws -> Int {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults)
        defer { store.close() }
        let before = try store.writerDiagnostics().committedTransactions
        var generator = traffic(seed: 64)
        let drafts = (0..<count).map { _ in generator.progressEvent(approximateBytes: 300) }
        let seqs = try await withThrowingTaskGroup(of: Int64.self) { group in
            for draft in drafts { group.addTask { try await store.append(draft).seq } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(seqs) == Set(1...Int64(count)))
        return try store.writerDiagnostics().committedTransactions - before
    }

    @Test("64 concurrent appends commit in fewer than 64 transactions")
    func groupCommitBatches() async throws {
        // Retry a few times: on a loaded machine the first appends may each find the writer idle.
        var best = Int.max
        for _ in 0..<5 where best >= 64 {
            best = min(best, try await Self.transactionsFor(concurrentAppends: 64, faults: []))
        }
        #expect(best < 64, "64 appends took \(best) transactions")
    }

    @Test("negative control: without group commit, 64 appends take 64 transactions")
    func groupCommitNegativeControl() async throws {
        let transactions = try await Self.transactionsFor(concurrentAppends: 64, faults: .noGroupCommit)
        #expect(transactions >= 64)
    }

    static func writerSynchronousLevel(faults: OutboxFaults, durability: Durability = .full) throws -> Int64 {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults) { $0.durability = durability }
        defer { store.close() }
        return try store.writerDiagnostics().synchronousLevel
    }

    @Test("the write connection reads back PRAGMA synchronous = FULL")
    func synchronousFull() throws {
        #expect(try Self.writerSynchronousLevel(faults: []) == 2)
        #expect(try Self.writerSynchronousLevel(faults: [], durability: .normal) == 1)
    }

    @Test("negative control: with the fsync skipped, the readback is not FULL")
    func synchronousNegativeControl() throws {
        #expect(try Self.writerSynchronousLevel(faults: .skipFsync) != 2)
    }

    @Test("a caller returns only after its own append is committed and visible to other connections")
    func returnedAppendsAreCommitted() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var generator = traffic(seed: 3)
        for _ in 0..<200 {
            let appended = try await store.append(generator.next())
            // A fresh connection (another process would see the same) must already hold it.
            let reader = try store.makeReader()
            #expect(try reader.message(seq: appended.seq)?.id == appended.id)
        }
    }
}
