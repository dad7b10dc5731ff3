import ArgumentParser
import CloudConnector
import ConnectorCore
import OutboxStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts by type and delivery state, the oldest pending message, seqs, and sizes.",
        discussion: """
            held bytes is what the size bound counts (stored payloads plus a fixed per-row overhead); \
            bytes on disk is the store file plus its WAL. dropped counts unacked progress events the \
            size bound removed (R4); seq jumps counts R7 moves past a cloud's acked_seq.

            Examples:
              cloud-connector outbox stats
              cloud-connector outbox stats --max-outbox-bytes 1GiB --json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("max-outbox-bytes"),
        help: ArgumentHelp("The bound to compare held bytes with (default $OUTBOX_MAX_BYTES, else 512MiB). Example: --max-outbox-bytes 1GiB", valueName: "size"))
    var maxOutboxBytes: String?

    func run() throws {
        let context = try CommandContext(global, maxOutboxBytes: maxOutboxBytes)
        let now = context.nowMS
        let bound = context.configuration.maxOutboxBytes
        let stats = try context.withReader { reader, _ in try reader.stats() }
        let buckets = Self.allBuckets(stats)
        if context.json {
            Console.out(json: [
                "store": .string(context.storePath),
                "last_seq": .int(stats.state.lastSeq),
                "acked_seq": .int(stats.state.ackedSeq),
                "pruned_through": .int(stats.state.prunedThrough),
                "held_messages": .int(stats.heldMessages),
                "pending_messages": .int(stats.pendingMessages),
                "oldest_pending_created_at": .time(stats.oldestPendingCreatedAtMS),
                "oldest_pending_age_ms": .int(stats.oldestPendingCreatedAtMS.map { now - $0 }),
                "held_bytes": .int(stats.state.heldBytes),
                "max_outbox_bytes": .int(bound),
                "bytes_on_disk": .int(stats.bytesOnDisk),
                "dropped_messages": .int(stats.droppedMessages),
                "seq_jumps": .int(stats.seqJumps),
                "prune_runs": .int(stats.pruneRuns),
                "ledger_reports": .int(stats.ledgerReports),
                "executions": .int(stats.executions),
                "by_type": .array(buckets.map { bucket in
                    [
                        "type": .string(bucket.type.rawValue), "state": .string(bucket.acked ? "acked" : "pending"),
                        "messages": .int(bucket.messages), "stored_bytes": .int(bucket.storedBytes),
                        "raw_bytes": .int(bucket.rawBytes),
                    ]
                }),
            ])
            return
        }
        let oldest = stats.oldestPendingCreatedAtMS.map {
            "\(DurationText.format(milliseconds: now - $0)) ago (\(RFC3339.format(milliseconds: $0)))"
        }
        let percent = bound > 0 ? Double(stats.state.heldBytes) * 100 / Double(bound) : 0
        Console.out(lines: TextTable.keyValues([
            ("store", context.storePath),
            ("last seq", String(stats.state.lastSeq)),
            ("acked seq", String(stats.state.ackedSeq)),
            ("pruned through", String(stats.state.prunedThrough)),
            ("held", "\(stats.heldMessages) messages, \(stats.pendingMessages) pending"),
            ("oldest pending", oldest ?? "none"),
            ("held bytes", "\(ByteCount.format(stats.state.heldBytes)) of \(ByteCount.format(bound)) bound (\(String(format: "%.1f", percent))%)"),
            ("bytes on disk", ByteCount.format(stats.bytesOnDisk)),
            ("dropped", "\(stats.droppedMessages) progress events (R4)"),
            ("seq jumps", "\(stats.seqJumps) (R7)"),
            ("prune runs", String(stats.pruneRuns)),
            ("ledger reports", String(stats.ledgerReports)),
            ("executions", String(stats.executions)),
        ]))
        Console.out("")
        var table = TextTable([.left("type"), .left("state"), .right("messages"), .right("stored"), .right("raw")])
        for bucket in buckets {
            table.add([
                bucket.type.rawValue, bucket.acked ? "acked" : "pending", String(bucket.messages),
                ByteCount.format(bucket.storedBytes), ByteCount.format(bucket.rawBytes),
            ])
        }
        Console.out(lines: table.render())
    }

    struct Row {
        let type: OutboxMessageType
        let acked: Bool
        var messages: Int64 = 0
        var storedBytes: Int64 = 0
        var rawBytes: Int64 = 0
    }

    /// Every type × state, zeros included, so the shape never depends on what the store holds.
    static func allBuckets(_ stats: OutboxStats) -> [Row] {
        var all: [Row] = []
        for type in OutboxMessageType.allCases {
            for acked in [false, true] {
                var row = Row(type: type, acked: acked)
                if let found = stats.buckets.first(where: { $0.type == type && $0.acked == acked }) {
                    row.messages = found.messages
                    row.storedBytes = found.storedBytes
                    row.rawBytes = found.rawBytes
                }
                all.append(row)
            }
        }
        return all
    }
}
