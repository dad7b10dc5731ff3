import ArgumentParser
import CloudConnector
import ConnectorCore
import OutboxStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The link to the cloud as the service last reported it, and the outbox's delivery progress.",
        discussion: """
            Reads what `cloud-connector run` keeps in the store, so it works from any shell while the \
            service runs (or after it stopped: then it says so, with the last report). Shows the link \
            state, session, reconnects, token refusals and the last error with what to do about it, \
            then acked_seq, pending messages and the age of the oldest one. Warns when the cloud lost \
            data (R7: a lower acked_seq, or seqs this device never assigned).

            Examples:
              cloud-connector status
              cloud-connector status --json | jq .link.state
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let now = context.nowMS
        var report = try context.withReader { reader, _ in
            StatusReport(
                backlog: try reader.backlog(), link: try reader.linkStatus(), jump: try reader.lastSequenceJump(),
                rewind: try reader.lastAckRewind())
        }
        let directory = try DataDirectory.existing(context.configuration.dataDirectory, logger: context.logger)
        report.quarantined = directory.map { StoreQuarantine.list(directory: $0.path, fileName: OutboxStore.fileName) } ?? []
        let running = directory.map(DataDirectoryLock.isOwned) ?? false
        let pid = directory.flatMap(DataDirectoryLock.holder(of:))
        if context.json {
            Console.out(json: report.json(running: running, pid: pid, now: now))
        } else {
            Console.out(lines: TextTable.keyValues(report.pairs(running: running, pid: pid, now: now)))
        }
    }
}

/// What `status` reads, in one place for both output forms.
struct StatusReport {
    let backlog: Backlog
    let link: LinkStatusRecord?
    let jump: SequenceJump?
    let rewind: AckRewind?
    /// Stores moved aside because they could not be read (`StoreQuarantine`).
    var quarantined: [StoreQuarantine.Quarantined] = []

    /// The reported state, unless the service that reported it is gone.
    func state(running: Bool) -> String {
        guard let link else { return "never run" }
        if !running, link.state != "stopped" { return "not running" }
        return link.state
    }

    func json(running: Bool, pid: Int32?, now: Int64) -> JSONValue {
        var linkObject: JSONValue = .null
        if let link {
            linkObject = [
                "state": .string(state(running: running)),
                "reported_state": .string(link.state),
                "session_id": .string(link.sessionID),
                "cloud_url": .string(link.cloudURL),
                "last_error": .string(link.lastError),
                "connect_attempts": .int(link.connectAttempts),
                "reconnects": .int(max(link.connectAttempts - 1, 0)),
                "sessions": .int(link.sessions),
                "token_refusals": .int(link.tokenRefusals),
                "retry_in_ms": .int(link.retryInMS),
                "messages_sent": .int(link.messagesSent),
                "messages_resent": .int(link.messagesResent),
                "started_at": .time(link.startedAtMS),
                "updated_at": .time(link.updatedAtMS),
            ]
        }
        return [
            "service": ["running": .bool(running), "pid": running ? .int(pid.map(Int64.init)) : .null],
            "link": linkObject,
            "outbox": [
                "last_seq": .int(backlog.lastSeq),
                "acked_seq": .int(backlog.ackedSeq),
                "pending": .int(backlog.pending),
                "oldest_pending_created_at": .time(backlog.oldestPendingCreatedAtMS),
                "oldest_pending_age_ms": .int(backlog.oldestPendingCreatedAtMS.map { max(now - $0, 0) }),
            ],
            "seq_jump": jump.map { jump in
                ["from_seq": .int(jump.fromSeq), "to_seq": .int(jump.toSeq), "at": .time(jump.atMS)]
            } ?? .null,
            "quarantined_stores": .array(quarantined.map { ["path": .string($0.path), "bytes": .int($0.bytes)] }),
            "ack_rewind": rewind.map { rewind in
                [
                    "from_seq": .int(rewind.fromSeq), "to_seq": .int(rewind.toSeq),
                    "unrecoverable_seqs": .int(rewind.unrecoverableSeqs), "at": .time(rewind.atMS),
                ]
            } ?? .null,
        ]
    }

    func pairs(running: Bool, pid: Int32?, now: Int64) -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.append(("service", running ? "running" + (pid.map { " (pid \($0))" } ?? "") : "not running"))
        if let link {
            var state = state(running: running)
            if state == "not running" { state += " (last reported \(link.state) by pid \(link.pid))" }
            if let retry = link.retryInMS, link.state == "backing_off" {
                state += ", next attempt within \(DurationText.format(milliseconds: retry))"
            }
            pairs.append(("link", state))
            if let url = link.cloudURL { pairs.append(("cloud", url)) }
            if let session = link.sessionID { pairs.append(("session", session)) }
            pairs.append(("reconnects", "\(max(link.connectAttempts - 1, 0)) (\(link.sessions) sessions)"))
            if link.tokenRefusals > 0 { pairs.append(("token refusals", String(link.tokenRefusals))) }
            pairs.append(("sent", "\(link.messagesSent) messages, \(link.messagesResent) of them resends"))
            pairs.append(("last error", link.lastError ?? "none"))
            pairs.append(("reported", "\(DurationText.format(milliseconds: max(now - link.updatedAtMS, 0))) ago"))
        } else {
            pairs.append(("link", "never run: start the service with `cloud-connector run`"))
        }
        pairs.append(("acked seq", "\(backlog.ackedSeq) of \(backlog.lastSeq)"))
        pairs.append(("pending", "\(backlog.pending) messages"))
        pairs.append((
            "oldest pending",
            backlog.oldestPendingCreatedAtMS.map {
                "\(DurationText.format(milliseconds: max(now - $0, 0))) ago (\(RFC3339.format(milliseconds: $0)))"
            } ?? "none"))
        if let jump {
            pairs.append((
                "warning",
                "the cloud held seqs this device never assigned; seqs continued from \(jump.toSeq + 1) instead of \(jump.fromSeq + 1) (R7, \(RFC3339.format(milliseconds: jump.atMS)))"))
        }
        for store in quarantined {
            pairs.append((
                "warning",
                "an unreadable outbox was moved aside to \(store.path) (\(store.bytes) bytes); unacked messages it held are only there: `cloud-connector outbox salvage \(store.path)` brings them back"))
        }
        if let rewind {
            var text = "the cloud acknowledged \(rewind.toSeq) after \(rewind.fromSeq) (its store was lost); held messages were resent"
            if rewind.unrecoverableSeqs > 0 { text += ", \(rewind.unrecoverableSeqs) already pruned could not be" }
            pairs.append(("warning", text + " (\(RFC3339.format(milliseconds: rewind.atMS)))"))
        }
        return pairs
    }
}
