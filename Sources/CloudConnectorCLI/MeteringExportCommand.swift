import ArgumentParser
import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore

struct MeteringExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export one record per usage report for a half-open UTC day range, for billing.",
        discussion: """
            Formats: csv (RFC 4180, header row, CRLF), jsonl (one object per line), cloudevents \
            (CloudEvents 1.0 structured JSON, one event per line, as OpenMeter ingests: id = report_id, \
            source = cloud-connector/<device id>, type = mindscape.usage_report, subject = workspace_id \
            or tenant:<tenant_id> when the report has none). Every record carries report_id, so \
            importing an export twice never bills twice. The records' sums equal `metering totals` \
            for the same range. Pages through the ledger, so memory stays flat.

            Without --output the export goes to stdout. With --output the file appears only when \
            complete (temporary file, fsync, rename), is never overwritten unless --force, and a \
            summary is printed on stdout.

            Examples:
              cloud-connector metering export --from 2026-11-01 --to 2026-12-01 --format csv > november.csv
              cloud-connector metering export --from 2026-11-01 --to 2026-12-01 --format cloudevents --output nov.jsonl.lz4 --lz4
            """)

    static let pageSize = 1_000

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("First UTC day exported (inclusive). Example: --from 2026-11-01", valueName: "day"))
    var from: String

    @Option(help: ArgumentHelp("UTC day after the last one exported (exclusive). Example: --to 2026-12-01", valueName: "day"))
    var to: String

    @Option(help: "Record format: csv, jsonl or cloudevents. Example: --format cloudevents")
    var format: ExportFormat

    @Option(help: ArgumentHelp("Write to this file instead of stdout (atomically). Example: --output usage-2026-11.csv", valueName: "file"))
    var output: String?

    @Flag(help: "Replace --output if it exists. Example: --force")
    var force = false

    @Flag(help: "Compress as one LZ4 frame (decompress with `lz4 -d`). Example: --lz4")
    var lz4 = false

    func validate() throws {
        if force && output == nil { throw ValidationError("--force only applies with --output FILE.") }
    }

    func run() throws {
        let context = try CommandContext(global)
        let range = try TimeArguments.dayRange(from: from, to: to)
        if lz4 && output == nil && isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("refusing to write LZ4 binary to a terminal; add --output FILE or pipe the output.")
        }
        // Records on a terminal would be torn by a progress line on the same screen.
        let bar = output == nil && isatty(STDOUT_FILENO) == 1 ? nil : ProgressBar.onTerminal("export", unit: "records", json: context.json)
        let summary = try context.withReader { reader, store in
            let destination = try output.map { try ExportDestination.file($0, force: force) } ?? .standardOutput()
            do {
                let total = bar == nil ? 0 : try reader.meteringTotals(fromDay: range.from, toDay: range.to, groupBy: [])
                    .reduce(0) { $0 + $1.reports }
                let summary = try Self.export(
                    reader, range: range, encoding: UsageRecordEncoding(format: format, deviceID: store.identity.deviceID),
                    to: destination, lz4: lz4) { done in bar?.update(done: done, total: total) }
                bar?.finish()
                try destination.commit()
                return (summary, destination.bytesWritten)
            } catch {
                destination.discard()
                throw error
            }
        }
        // Exported to stdout: the records are the output, so no summary.
        guard let output else { return }
        let path = ExportSummary.path(output)
        let (totals, bytes) = summary
        if context.json {
            Console.out(json: [
                "output": .string(path), "format": .string(format.rawValue), "lz4": .bool(lz4),
                "from": .string(range.from), "to": .string(range.to), "records": .int(totals.records),
                "bytes": .int(bytes),
                "totals": .array(totals.byCurrency.map { currency, sums in
                    [
                        "currency": .string(currency), "reports": .int(sums.reports),
                        "total_tokens": .int(sums.totalTokens), "cost": .string(MicroAmount.format(sums.costMicros)),
                        "cost_micros": .int(sums.costMicros),
                    ]
                }),
            ])
        } else {
            Console.out("exported \(totals.records) usage reports for UTC days [\(range.from), \(range.to)) to \(path) (\(format.rawValue)\(lz4 ? ", lz4" : ""), \(ByteCount.format(bytes)))")
            for (currency, sums) in totals.byCurrency {
                Console.out("  \(currency.isEmpty ? "(no cost)" : currency): \(sums.reports) reports, \(sums.totalTokens) tokens, cost \(MicroAmount.format(sums.costMicros))")
            }
        }
    }

    /// Streams the ledger page by page into the destination; `progress` gets the records written so
    /// far after each page.
    static func export(
        _ reader: OutboxReader, range: (from: String, to: String), encoding: UsageRecordEncoding,
        to destination: ExportDestination, lz4: Bool, progress: ((Int64) -> Void)? = nil
    ) throws -> ExportSummary {
        let stream = try ExportStream(destination, lz4: lz4)
        try stream.write(encoding.header)
        var summary = ExportSummary()
        var cursor: UsageCursor?
        while true {
            let page = try reader.usagePage(fromDay: range.from, toDay: range.to, after: cursor, limit: pageSize)
            for entry in page {
                try stream.write(encoding.encode(entry))
                summary.add(entry)
            }
            progress?(summary.records)
            guard let last = page.last, page.count == pageSize else { break }
            cursor = UsageCursor(after: last)
        }
        try stream.finish()
        return summary
    }
}
