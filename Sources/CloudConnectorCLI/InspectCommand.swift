import ArgumentParser
import CloudConnector
import ConnectorCore
import OutboxStore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List held messages, in seq order, with filters (never payloads: see peek).",
        discussion: """
            Reads the store in pages of \(InspectCommand.pageSize), so a huge backlog is never loaded \
            at once. When more messages match than --limit, the last line says which --from-seq \
            continues. With --json, prints one JSON object per message per line (JSON Lines).

            Examples:
              cloud-connector outbox inspect --state pending --limit 20
              cloud-connector outbox inspect --type usage_report --since 7d
              cloud-connector outbox inspect --request req-42 --json
            """)

    static let pageSize = 500

    @OptionGroup var global: GlobalOptions

    @Option(help: "Delivery state: pending (not acked by the cloud), acked, or all. Example: --state pending")
    var state: StateArgument = .all

    @Option(name: .customLong("type"), help: "Only this message type. Example: --type usage_report")
    var messageType: MessageTypeArgument?

    @Option(name: .customLong("request"), help: ArgumentHelp("Only messages of this request_id. Example: --request req-42", valueName: "id"))
    var requestID: String?

    @Option(name: .customLong("from-seq"), help: ArgumentHelp("Lowest seq shown (inclusive). Example: --from-seq 1000", valueName: "seq"))
    var fromSeq: Int64?

    @Option(name: .customLong("to-seq"), help: ArgumentHelp("Highest seq shown (inclusive). Example: --to-seq 2000", valueName: "seq"))
    var toSeq: Int64?

    @Option(help: ArgumentHelp(
        "Only messages created at or after this time: RFC 3339, a UTC day, or a duration ago. Example: --since 2h, --since 2026-11-24T10:00:00Z",
        valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp(
        "Only messages created before this time (same forms as --since). Example: --until 30m",
        valueName: "time"))
    var until: String?

    @Option(help: "Most messages shown. Example: --limit 1000")
    var limit: Int = 100

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
        if let fromSeq, let toSeq, fromSeq > toSeq {
            throw ValidationError("--from-seq \(fromSeq) is above --to-seq \(toSeq).")
        }
    }

    func run() throws {
        let context = try CommandContext(global)
        let now = context.nowMS
        var filter = InspectFilter()
        filter.delivery = state.filter
        filter.type = messageType?.type
        filter.requestID = requestID
        filter.fromSeq = fromSeq
        filter.toSeq = toSeq
        filter.sinceMS = try since.map { try TimeArguments.instant($0, flag: "--since", nowMS: now) }
        filter.untilMS = try until.map { try TimeArguments.instant($0, flag: "--until", nowMS: now) }
        try context.withReader { reader, _ in
            var output = InspectOutput(json: context.json, nowMS: now, lastSeq: try reader.sequenceState().lastSeq)
            var after: Int64 = 0
            var shown = 0
            var exhausted = false
            while shown < limit {
                filter.limit = min(Self.pageSize, limit - shown)
                let page = try reader.inspect(filter, after: after)
                output.emit(page)
                shown += page.count
                guard let last = page.last, page.count == filter.limit else {
                    exhausted = true
                    break
                }
                after = last.seq
            }
            var moreFrom: Int64?
            if !exhausted {
                filter.limit = 1
                moreFrom = try reader.inspect(filter, after: after).first?.seq
            }
            output.finish(shown: shown, moreFrom: moreFrom)
        }
    }
}
