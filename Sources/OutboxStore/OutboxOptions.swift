import Foundation

/// How the store trades durability for speed. `full` is the default and the only mode under which a
/// returned append survives power loss.
public enum Durability: String, Sendable, CaseIterable {
    /// `PRAGMA synchronous=FULL`: every commit is fsynced before the append returns.
    case full
    /// `PRAGMA synchronous=NORMAL`: in WAL mode a commit is durable against a process crash, but the
    /// last transactions before a power loss or kernel crash can be lost (the WAL is fsynced only at
    /// checkpoints). The cloud would then never receive those messages.
    case normal
}

public struct OutboxOptions: Sendable {
    public var durability: Durability = .full
    /// Bound on the bytes the log holds (stored payloads plus a fixed per-row overhead).
    public var maxOutboxBytes: Int64 = 512 * 1024 * 1024
    /// Payloads at least this long are LZ4-compressed (when that makes them smaller).
    public var compressionThreshold: Int = 128
    /// Payloads at least this long are compressed with LZ4 HC (level 3) instead of LZ4's fast mode:
    /// about 16% smaller for ~13 µs more per message, paid by the producer, not the writer. Same
    /// block format and dictionary, so reading is unchanged. Int.max turns it off.
    public var highCompressionThreshold: Int = 512
    /// How long a statement waits for another process's write lock before failing.
    public var busyTimeoutMilliseconds: Int32 = 15_000
    /// Most units the writer gathers into one transaction.
    public var maxUnitsPerTransaction: Int = 2_048
    /// How long the writer may wait for the rest of a large group before committing (see
    /// OutboxWriter.run). Only applies after a group of 8 or more.
    public var groupCommitLingerNanoseconds: UInt64 = 200_000
    /// Caps the file at this many pages on the writer's connection (`PRAGMA max_page_count`):
    /// an append past it fails with the typed disk-full error, exactly as on a full disk, and the
    /// store stays consistent. Tests use it to fill the "disk"; nil leaves only the filesystem's limit.
    public var maxPageCount: Int64?
    /// `run` sets it: at open, read the pages the service needs first and the edges of every table
    /// and index (DamageProbe), so damage deeper than the header is found, and the store
    /// quarantined, at start. Other commands leave it off so they can still look into a damaged store.
    public var probeForDamageAtOpen = false
    /// Stores of at most this many pages get a full `PRAGMA quick_check` instead of the edge probe.
    public var quickCheckMaxPages: Int64 = 256
    public var clock: any WallClock = SystemWallClock()
    /// Test-only switches that break a safety property on purpose (negative controls).
    @_spi(Faults) public var faults: OutboxFaults = []

    public init() {}
}

/// Faults a test can switch on to show that the matching safety test then fails.
@_spi(Faults)
public struct OutboxFaults: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Report an append as done before its transaction commits (breaks R1 durability). The commit
    /// then follows after a short delay, as on a slow disk, so a kill can land in between.
    public static let returnBeforeCommit = OutboxFaults(rawValue: 1 << 0)
    /// Commit with `synchronous=OFF`: no fsync at all.
    public static let skipFsync = OutboxFaults(rawValue: 1 << 1)
    /// Commit every unit in its own transaction (no group commit).
    public static let noGroupCommit = OutboxFaults(rawValue: 1 << 2)
    /// On an R7 jump, leave messages held under seqs the cloud holds for others where they are
    /// (they are then taken for acked, and lost).
    public static let noRenumbering = OutboxFaults(rawValue: 1 << 10)
    /// Do not write the usage-ledger row of a usage_report (a forgotten projection row).
    public static let forgetLedgerRow = OutboxFaults(rawValue: 1 << 3)
    /// Store a repeated event_id/report_id under a fresh key, so the same report is held twice.
    public static let ignoreNaturalKey = OutboxFaults(rawValue: 1 << 4)
    /// Read pending messages newest first instead of in seq order.
    public static let pendingOutOfOrder = OutboxFaults(rawValue: 1 << 5)
    /// Carry on with a batch after SQLite rolled its transaction back on its own (on a full disk):
    /// the remaining units then run in autocommit, outside the batch, and callers get the wrong answer.
    public static let ignoreBatchRollback = OutboxFaults(rawValue: 1 << 11)
    /// Skip the start-up damage probe even when `probeForDamageAtOpen` asks for it.
    public static let skipStartupProbe = OutboxFaults(rawValue: 1 << 12)
    /// Salvage messages without their own ids: they get new ones, and the cloud would count a message
    /// it already holds a second time.
    public static let salvageWithoutIDs = OutboxFaults(rawValue: 1 << 13)
    /// Look an id up only among held rows, not among retired ones: salvage run again after the
    /// cloud acked and the store pruned what it appended appends it all a second time.
    public static let forgetRetiredIDs = OutboxFaults(rawValue: 1 << 14)
    /// Let salvage fill the store to its size bound, leaving the service's live appends no room.
    public static let salvageWithoutHeadroom = OutboxFaults(rawValue: 1 << 15)
    /// Show secret values in CLI output even without --reveal.
    public static let skipRedaction = OutboxFaults(rawValue: 1 << 6)
    /// Give the store file mode 0644, as a forgotten chmod under the usual umask would: readable by
    /// every user, reply tokens and billing data with it.
    public static let looseFileModes = OutboxFaults(rawValue: 1 << 20)

    public static func parse(_ text: String) -> OutboxFaults {
        let names: [String: OutboxFaults] = [
            "returnBeforeCommit": .returnBeforeCommit, "skipFsync": .skipFsync,
            "noGroupCommit": .noGroupCommit, "forgetLedgerRow": .forgetLedgerRow,
            "ignoreNaturalKey": .ignoreNaturalKey, "pendingOutOfOrder": .pendingOutOfOrder,
            "skipRedaction": .skipRedaction, "looseFileModes": .looseFileModes,
        ]
        var faults: OutboxFaults = []
        for name in text.split(separator: ",") {
            if let fault = names[String(name)] { faults.insert(fault) }
        }
        return faults
    }
}
