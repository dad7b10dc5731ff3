import ArgumentParser
import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore

struct SalvageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salvage",
        abstract: "Recover every readable message from a quarantined or damaged outbox file into this store.",
        discussion: """
            FILE is typically <data>/outbox.sqlite.corrupt-<time>, which `run` moves aside when it \
            cannot read the store. Each message SQLite can still read is appended here with its own \
            id, creation time (ts) and payload, so the cloud's dedupe by id (R6) counts none twice; \
            it gets a new seq in this store. A damaged page costs only the rows on it: the unreadable \
            seq ranges are reported and reading goes on after them. Messages the file's cloud had \
            acked are salvaged too (this store's ledger, totals and timelines get them back; the \
            cloud recognises them), unless --unacked-only. The file's inbox rows this store lacks are \
            copied too, so a request it answered is not run again (R11); one it accepted and never \
            ended is ended failed/interrupted at the service's next start (R13) — but from another \
            device's file only the answered ones: its open requests are not this device's to end.

            Safe to run again: what is already here (the same id, or the same event_id/report_id with \
            the same content) is counted as present and not appended. FILE is never written (it is \
            read immutable, or from a private copy in the data directory when it has a WAL). Runs \
            beside the service like `outbox append`. A file of another device is refused unless \
            --from-other-device; another tenant always (R12). Salvage fills this store only to four \
            fifths of its size bound, leaving the rest to the service's live messages, and never \
            drops unacked progress events to make room: there it stops (exit 75); run it again once \
            the cloud has acked more.

            Exit codes: 0 every message of FILE, and its inbox, is now here · 1 some could not be \
            brought back (unreadable ranges, rows that do not decode, conflicts: all listed) · 64 a \
            bad flag · 65 FILE is this store or a copy of it, or --unacked-only on a FILE whose ack \
            cursor is unreadable · 66 FILE does not exist · 69 this store stayed locked by another \
            process · 73 the private copy of a FILE with a WAL cannot be made (free space in the data \
            directory) · 74 SQLite cannot read FILE at all, or its identity row, or this store's \
            storage failed (a full disk) · 75 salvage reached its ceiling, four fifths of this \
            store's size bound · 78 FILE is not a cloud-connector outbox, or belongs to another \
            tenant, or to another device without --from-other-device, or this data directory has no \
            device yet. A refusal appends nothing; a run stopped part way (75, or 74 on a full disk) \
            keeps what it appended, and running it again goes on.

            Examples:
              cloud-connector outbox salvage /var/lib/mindscape/outbox.sqlite.corrupt-20261203T161000Z
              cloud-connector outbox salvage ./old-install/outbox.sqlite --from-other-device --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tuning: StoreTuningOptions

    @Argument(help: ArgumentHelp(
        "The outbox file to salvage from. Example: /var/lib/mindscape/outbox.sqlite.corrupt-20261203T161000Z",
        valueName: "file"))
    var file: String

    @Flag(help: "Accept a file of another device of this tenant (a device this one replaces). Example: --from-other-device")
    var fromOtherDevice = false

    @Flag(help: "Leave out the messages the file's cloud had already acked. Example: --unacked-only")
    var unackedOnly = false

    func run() throws {
        let context = try CommandContext(global, tuning: tuning)
        let path = Self.absolute(file)
        if Self.isSameFile(path, context.storePath) {
            throw SalvageError.sameStore(path: path)
        }
        let directory = try DataDirectory.prepare(context.configuration.dataDirectory, logger: context.logger)
        let source = try SalvageSource.open(path, scratchDirectory: directory.path)
        defer { source.close() }
        guard let identity = try DeviceIdentity.resolve(configuration: context.configuration, directory: directory, createIfMissing: false)
        else {
            // Creating a new device id here could never match the file: say which one to use instead.
            throw CLIFailure(
                .configuration,
                "\(directory.file(DeviceIdentity.fileName)) does not exist and DEVICE_ID is not set, so this data directory has no device yet. To salvage \(path) here, set DEVICE_ID=\(source.identity.deviceID) TENANT_ID=\(source.identity.tenantID) (the file's device). Nothing was written.")
        }
        let store = try context.open(directory, identity)
        defer { store.close() }
        var options = SalvageOptions()
        options.allowOtherDevice = fromOtherDevice
        options.unackedOnly = unackedOnly
        let bar = ProgressBar.onTerminal("salvage", unit: "seqs", json: context.json)
        let report = try store.salvage(from: source, options: options) { done, total in
            bar?.update(done: done, total: total)
        }
        bar?.finish()
        if context.json {
            Console.out(json: Self.json(report))
        } else {
            Console.out(lines: Self.table(report))
        }
        if let stopped = report.stoppedBy {
            let again = "What was salvaged stays; run salvage again to go on where it stopped (it recognises what is already here)."
            if case .outboxFull(let held, _, _) = stopped {
                throw CLIFailure(
                    .tempFail,
                    "salvage stopped after \(report.salvaged) new messages: this store holds \(held) bytes, and salvage fills it only to \(report.ceilingBytes) of its \(report.boundBytes)-byte size bound, leaving the rest to the service's live messages (at the bound they would be dropped or refused); it never drops unacked messages to make room. \(again) Wait for the cloud to ack more (salvage then makes room by pruning acked messages), raise --max-outbox-bytes, or add --unacked-only.")
            }
            let failure = CLIFailure(stopped)
            throw CLIFailure(failure.status, "salvage stopped after \(report.salvaged) new messages: \(failure.message) \(again)")
        }
        if !report.isComplete { throw ExitCode(ExitStatus.differences.rawValue) }
    }

    static func absolute(_ path: String) -> String {
        let expanded = path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst(1) : path
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    /// The same file by device and inode, whatever path leads to it.
    static func isSameFile(_ one: String, _ other: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(one, &first) == 0, stat(other, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    static func json(_ report: SalvageReport) -> JSONValue {
        [
            "source": .string(report.source),
            "source_device_id": .string(report.sourceIdentity.deviceID),
            "source_tenant_id": .string(report.sourceIdentity.tenantID),
            "source_last_seq": .int(report.sourceLastSeq),
            "source_acked_seq": .int(report.sourceAckedSeq),
            "read": .int(report.read),
            "salvaged": .int(report.salvaged),
            "salvaged_acked": .int(report.salvagedAcked),
            "already_present": .int(report.alreadyPresent),
            "skipped_acked": .int(report.skippedAcked),
            "first_seq": .int(report.firstSeq),
            "last_seq": .int(report.lastSeq),
            "unreadable": .array(report.unreadable.map { range in
                ["from_seq": .int(range.from), "to_seq": .int(range.to), "acked": .bool(report.isAcked(range))]
            }),
            "unreadable_seqs": .int(report.unreadableSeqs),
            "undecodable": .array(report.undecodable.map { ["seq": .int($0.seq), "reason": .string($0.reason)] }),
            "conflicts": .array(report.conflicts.map { ["seq": .int($0.seq), "reason": .string($0.reason)] }),
            "unlisted_problems": .int(report.unlistedProblems),
            "inbox": [
                "read": .int(report.inboxRead), "copied": .int(report.inboxCopied),
                "open_copied": .int(report.inboxOpenCopied), "open_left_out": .int(report.inboxOpenLeftOut),
                "complete": .bool(report.inboxComplete),
            ],
            "size_bound_bytes": .int(report.boundBytes),
            "ceiling_bytes": .int(report.ceilingBytes),
            "complete": .bool(report.isComplete),
        ]
    }

    static func table(_ report: SalvageReport) -> [String] {
        let identity = report.sourceIdentity
        var cursor = "last seq \(report.sourceLastSeq.map(String.init) ?? "unreadable")"
        cursor += ", acked through \(report.sourceAckedSeq.map(String.init) ?? "unreadable")"
        var salvaged = "\(report.salvaged) new messages"
        if let first = report.firstSeq, let last = report.lastSeq { salvaged += " (seqs \(first)…\(last) here)" }
        if report.salvagedAcked > 0 { salvaged += ", \(report.salvagedAcked) of them acked by the cloud before" }
        var pairs: [(String, String)] = [
            ("source", report.source),
            ("device", "\(identity.deviceID) (tenant \(identity.tenantID)), \(cursor)"),
            ("read", "\(report.read) messages"),
            ("salvaged", salvaged),
            ("already here", "\(report.alreadyPresent) messages"),
        ]
        if report.skippedAcked > 0 { pairs.append(("left out", "\(report.skippedAcked) acked messages (--unacked-only)")) }
        let seqs = report.unreadableSeqs.map { "\($0) seqs" } ?? "to the end of the file"
        pairs.append(("unreadable", report.unreadable.isEmpty ? "none" : "\(report.unreadable.count) ranges, \(seqs)"))
        pairs.append(("undecodable", "\(report.undecodable.count) rows"))
        pairs.append(("conflicts", "\(report.conflicts.count) messages"))
        var inbox = "\(report.inboxRead) requests read, \(report.inboxCopied) new here"
        if report.inboxOpenCopied > 0 { inbox += ", \(report.inboxOpenCopied) of them never ended" }
        if report.inboxOpenLeftOut > 0 {
            inbox += "; \(report.inboxOpenLeftOut) open ones left out (the other device's requests, not this one's to end)"
        }
        if !report.inboxComplete { inbox += "; the rest of the file's inbox is unreadable" }
        pairs.append(("inbox", inbox))
        var lines = TextTable.keyValues(pairs)
        for range in report.unreadable {
            let to = range.to.map(String.init) ?? "the end"
            let note = report.isAcked(range) ? " (acked: the cloud holds them)" : ""
            lines.append("  unreadable seqs \(range.from)…\(to)\(note)")
        }
        for problem in report.undecodable { lines.append("  undecodable seq \(problem.seq): \(problem.reason)") }
        for problem in report.conflicts { lines.append("  conflict seq \(problem.seq): \(problem.reason)") }
        if report.unlistedProblems > 0 { lines.append("  ... and \(report.unlistedProblems) more") }
        if report.read > 0 && report.salvaged == 0 && report.inboxCopied == 0 && report.stoppedBy == nil {
            lines.append("nothing new: every message read is already in this store")
        }
        if report.inboxOpenCopied > 0 {
            lines.append(
                "restart the service (it ends the \(report.inboxOpenCopied) executions the file left open as failed, interrupted: R13)")
        }
        return lines
    }
}
