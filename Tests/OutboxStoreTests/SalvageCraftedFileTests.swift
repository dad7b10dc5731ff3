import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import SQLiteDB
import Testing

/// A file to salvage is damaged or foreign by definition: every number read from it may be anything.
/// Bookkeeping values and seqs far out of range (Int64.max, negative) must be reported, never trap.
@Suite("Salvage from a file with out-of-range numbers")
struct SalvageCraftedFileTests {
    /// A store of 30 messages (seq 8 and 18 are replies), closed, then edited with `sql`, checks off.
    static func craftedFile(_ sql: [String]) async throws -> (directory: TemporaryDirectory, file: String) {
        let directory = TemporaryDirectory()
        try await PageDamage.buildStore(directory, count: 30, ackedThrough: 10)
        let path = directory.path + "/outbox.sqlite"
        do {
            let db = try Database(path: path, mode: .readWrite(create: false))
            try db.execute("PRAGMA ignore_check_constraints = ON")
            for statement in sql { try db.execute(statement) }
        }
        let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
        return (directory, moved)
    }

    /// A copy of the reply at `from` under seq `to` (replies have no natural key to collide).
    static func copyReply(_ from: Int64, to: Int64) -> String {
        """
        INSERT INTO outbox (seq, explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key, event_type,
                            job_type, codec, raw_size, payload, layout)
        SELECT \(to), explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key, event_type, job_type,
               codec, raw_size, payload, layout FROM outbox WHERE seq = \(from)
        """
    }

    static func salvage(_ crafted: (directory: TemporaryDirectory, file: String)) throws -> SalvageReport {
        let live = try openStore(crafted.directory)
        defer { live.close() }
        let source = try SalvageSource.open(crafted.file, scratchDirectory: crafted.directory.path)
        defer { source.close() }
        let report = try live.salvage(from: source)
        #expect(try live.makeReader().verify().isClean)
        return report
    }

    @Test("Int64.max as last_seq, acked_seq, pruned_through and as a row's seq: every real row is salvaged, the bookkeeping reads as unreadable, the row is listed")
    func int64Max() async throws {
        let max = Int64.max
        let report = try Self.salvage(try await Self.craftedFile([
            "UPDATE sequence_state SET last_seq = \(max), acked_seq = \(max), pruned_through = \(max)",
            Self.copyReply(8, to: max),
            """
            INSERT INTO usage_ledger SELECT 'rep-crafted', \(max), message_id, created_at_ms, request_id, tenant_id,
                workspace_id, model, day, reported_at_ms, executor_device_id, duration_ms, prompt_tokens,
                completion_tokens, total_tokens, cost_micros, currency FROM usage_ledger WHERE seq = 5
            """,
        ]))
        #expect(report.read == 30 && report.salvaged == 30, "read \(report.read), salvaged \(report.salvaged)")
        #expect(report.sourceLastSeq == 30, "the highest seq in range")
        #expect(report.sourceAckedSeq == nil)
        #expect(report.undecodable.map(\.seq) == [max], "\(report.undecodable)")
        #expect(!report.isComplete)
    }

    @Test("negative bookkeeping values and a negative seq: every real row is salvaged, the values read as unreadable, the row is listed")
    func negative() async throws {
        let report = try Self.salvage(try await Self.craftedFile([
            "UPDATE sequence_state SET last_seq = -1, acked_seq = -5, pruned_through = \(Int64.min)",
            Self.copyReply(18, to: -3),
        ]))
        #expect(report.read == 30 && report.salvaged == 30, "read \(report.read), salvaged \(report.salvaged)")
        #expect(report.sourceAckedSeq == nil)
        #expect(report.sourceLastSeq == 30)
        #expect(report.undecodable.map(\.seq) == [-3], "\(report.undecodable)")
    }

    @Test("a pruned_through that claims more than was pruned does not hide rows: the scan starts at seq 1")
    func prunedThroughIsNotTrusted() async throws {
        let report = try Self.salvage(try await Self.craftedFile([
            "UPDATE sequence_state SET acked_seq = 25, pruned_through = 25"
        ]))
        #expect(report.read == 30 && report.salvaged == 30 && report.isComplete, "read \(report.read)")
    }
}
