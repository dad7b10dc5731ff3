import ArgumentParser
import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove acked messages older than the retention period, optionally archiving them first.",
        discussion: """
            Only acked messages go, as a prefix of the log. Totals, timeline summaries and rebuild are \
            unchanged (what is removed is folded into the projections in the same transaction). With \
            --archive, removed messages are first written, as the JSON envelopes they were sent as, one \
            per line, to an LZ4 frame file in that folder (read it with `lz4 -dc FILE`). Disk space is \
            handed back afterwards.

            Examples:
              cloud-connector outbox prune
              cloud-connector outbox prune --retention 7d --archive /var/backups/mindscape
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tuning: StoreTuningOptions

    @Option(help: ArgumentHelp(
        "Keep messages younger than this (default $OUTBOX_RETENTION, else 30d); 0s prunes every acked message. Example: --retention 7d",
        valueName: "duration"))
    var retention: String?

    @Option(help: ArgumentHelp(
        "Folder for the LZ4 JSONL archive of what is removed (created, mode 0700, if missing). Example: --archive ./archive",
        valueName: "dir"))
    var archive: String?

    func run() throws {
        let context = try CommandContext(global, tuning: tuning, retention: retention)
        let retentionMS = context.configuration.retentionMS
        let archiveDirectory = try archive.map(Self.prepareArchiveDirectory)
        let bar = ProgressBar.onTerminal("prune", unit: "seqs", json: context.json)
        let report = try context.withExistingStore { store in
            try store.prune(retentionMS: retentionMS, archiveDirectory: archiveDirectory) { done, total in
                bar?.update(done: done, total: total)
            }
        }
        bar?.finish()
        if context.json {
            Console.out(json: [
                "retention_ms": .int(retentionMS),
                "messages": .int(report.messages),
                "stored_bytes": .int(report.storedBytes),
                "pruned_through": .int(report.prunedThrough),
                "archive": .string(report.archivePath),
                "bytes_on_disk_before": .int(report.fileBytesBefore),
                "bytes_on_disk_after": .int(report.fileBytesAfter),
            ])
            return
        }
        Console.out(lines: TextTable.keyValues([
            ("retention", DurationText.format(milliseconds: retentionMS)),
            ("removed", "\(report.messages) acked messages (\(ByteCount.format(report.storedBytes)) stored)"),
            ("pruned through", "seq \(report.prunedThrough)"),
            ("archive", report.archivePath ?? (archiveDirectory == nil ? "none (no --archive)" : "none (nothing removed)")),
            ("on disk", "\(ByteCount.format(report.fileBytesBefore)) before, \(ByteCount.format(report.fileBytesAfter)) after"),
        ]))
    }

    /// Fails before anything is pruned if the archive folder cannot be made, with exit 73.
    static func prepareArchiveDirectory(_ path: String) throws -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CLIFailure(.cannotCreate, "--archive \(absolute) exists but is not a folder. Nothing was pruned.")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: absolute, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CLIFailure(
                    .cannotCreate, "cannot create the archive folder \(absolute) (\(error.localizedDescription)). Nothing was pruned.")
            }
        }
        guard access(absolute, W_OK) == 0 else {
            throw CLIFailure(.cannotCreate, "the archive folder \(absolute) is not writable. Nothing was pruned.")
        }
        return absolute
    }
}
