import Foundation
import Logging
import SQLiteDB

/// Looks for damage deeper than the header when `run` starts (`OutboxOptions.probeForDamageAtOpen`),
/// so that a store whose pages the service is about to need are unreadable is quarantined at start
/// instead of failing later — a replay stuck on "could not read pending messages", an append that
/// cannot update its projection.
///
/// A small store gets SQLite's `quick_check` (every page; about 1 ms for 256 pages of 8 KiB); only its
/// damage findings refuse the store, a leaked page is logged (QuickCheckFinding). A larger
/// one gets the pages the service touches first and the edges of every b-tree: the newest and
/// oldest log rows and the first page a replay reads, both ends of every index and projection, the
/// small bookkeeping tables whole. Each read steps through every column, so overflow pages are
/// loaded too. O(log n): a few milliseconds on a million messages. Damage in the middle of a large
/// store is left to `outbox verify`, and to salvage once it shows.
enum DamageProbe {
    /// Throws `corrupt` on damage; returns the harmless findings, which it logged as a warning.
    @discardableResult
    static func run(_ db: Database, quickCheckMaxPages: Int64, logger: Logger) throws -> [String] {
        let pages = try db.int64("PRAGMA page_count")
        guard pages <= quickCheckMaxPages else {
            for sql in edgeReads {
                let statement = try db.prepare(sql)
                while try statement.step() {}
            }
            return []
        }
        let findings = QuickCheckFinding.parse(try db.all("PRAGMA quick_check").compactMap { $0.first?.text })
        let damage = findings.compactMap { if case .damage(let line) = $0 { line } else { nil } }
        if let first = damage.first {
            throw OutboxError.corrupt(
                path: db.path, detail: "quick_check found \(damage.count) problem(s), the first: \(first)")
        }
        let harmless = findings.compactMap { if case .harmless(let line) = $0 { line } else { nil } }
        if let first = harmless.first {
            logger.warning(
                "the outbox has pages nothing uses: wasted space, every row still reads, so the store is kept; `cloud-connector outbox verify` lists them",
                metadata: ["store.path": "\(db.path)", "store.unused_pages": "\(harmless.count)", "store.first_finding": "\(first)"])
        }
        return harmless
    }

    /// `ORDER BY` on an index's columns walks that index from one end; `INDEXED BY` makes sure.
    static let edgeReads = [
        "SELECT * FROM outbox ORDER BY seq DESC LIMIT 256",
        "SELECT * FROM outbox ORDER BY seq LIMIT 16",
        "SELECT * FROM outbox WHERE seq > (SELECT acked_seq FROM sequence_state) ORDER BY seq LIMIT 256",
        "SELECT type, natural_key FROM outbox INDEXED BY outbox_natural_key WHERE natural_key IS NOT NULL ORDER BY type, natural_key LIMIT 16",
        "SELECT type, natural_key FROM outbox INDEXED BY outbox_natural_key WHERE natural_key IS NOT NULL ORDER BY type DESC, natural_key DESC LIMIT 16",
        "SELECT explicit_id FROM outbox INDEXED BY outbox_explicit_id WHERE explicit_id IS NOT NULL ORDER BY explicit_id LIMIT 16",
        "SELECT explicit_id FROM outbox INDEXED BY outbox_explicit_id WHERE explicit_id IS NOT NULL ORDER BY explicit_id DESC LIMIT 16",
        // Its seq index alone (a covering read): whole rows would be a random page each, 16 disk
        // reads on a cold start for no more certainty than the index's leaf gives.
        "SELECT seq FROM usage_ledger ORDER BY seq DESC LIMIT 16",
        "SELECT seq FROM usage_ledger ORDER BY seq LIMIT 16",
        "SELECT * FROM usage_ledger ORDER BY report_id LIMIT 16",
        "SELECT * FROM usage_ledger ORDER BY report_id DESC LIMIT 16",
        "SELECT day, seq FROM usage_ledger INDEXED BY usage_ledger_by_day ORDER BY day DESC, seq DESC LIMIT 16",
        "SELECT day, seq FROM usage_ledger INDEXED BY usage_ledger_by_day ORDER BY day, seq LIMIT 16",
        "SELECT * FROM metering_totals ORDER BY tenant_id, day, workspace_id, model, currency LIMIT 16",
        "SELECT * FROM metering_totals ORDER BY tenant_id DESC, day DESC, workspace_id DESC, model DESC, currency DESC LIMIT 16",
        "SELECT * FROM executions ORDER BY request_id LIMIT 16",
        "SELECT * FROM executions ORDER BY request_id DESC LIMIT 16",
        "SELECT * FROM execution_retired ORDER BY request_id LIMIT 16",
        "SELECT * FROM execution_retired ORDER BY request_id DESC LIMIT 16",
        "SELECT * FROM inbox ORDER BY request_id LIMIT 16",
        "SELECT * FROM inbox ORDER BY request_id DESC LIMIT 16",
        // What start-up recovery reads next (R13: executions a crash left open).
        "SELECT * FROM inbox INDEXED BY inbox_open WHERE state = 'open' ORDER BY received_at_ms LIMIT 256",
        "SELECT request_id FROM inbox INDEXED BY inbox_done WHERE state = 'done' ORDER BY done_at_ms LIMIT 16",
        "SELECT request_id FROM inbox INDEXED BY inbox_done WHERE state = 'done' ORDER BY done_at_ms DESC LIMIT 16",
        "SELECT * FROM dropped_messages ORDER BY seq DESC LIMIT 16",
        "SELECT * FROM retired_explicit_ids ORDER BY seq DESC LIMIT 16",
        "SELECT id FROM retired_explicit_ids ORDER BY id LIMIT 16",
        "SELECT id FROM retired_explicit_ids ORDER BY id DESC LIMIT 16",
        "SELECT * FROM prune_log ORDER BY id DESC LIMIT 16",
        "SELECT * FROM seq_jumps ORDER BY id DESC LIMIT 16",
        "SELECT * FROM ack_rewinds ORDER BY id DESC LIMIT 16",
        "SELECT * FROM link_status",
        "SELECT * FROM codecs",
        "SELECT * FROM schema_migrations",
    ]
}
