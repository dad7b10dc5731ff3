import ArgumentParser
import CloudConnector
import ConnectorCore
import OutboxStore

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "One execution's summary and its events in order, with times and the time between them.",
        discussion: """
            The summary survives pruning; events removed by retention or the size bound are counted as \
            retired. Times are the events' own timestamps (payload.timestamp). Exits 66 when the \
            request is unknown.

            Examples:
              cloud-connector timeline req-42
              cloud-connector timeline req-42 --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The execution's request_id. Example: req-42")
    var requestID: String

    func run() throws {
        let context = try CommandContext(global)
        guard let timeline = try context.withReader({ reader, _ in try reader.timeline(requestID: requestID) }) else {
            throw CLIFailure(
                .noInput,
                "no execution with request_id \(requestID) in this outbox. List requests with outbox inspect --type execution_event.")
        }
        let summary = timeline.summary
        if context.json {
            var previous: Int64?
            let events: [JSONValue] = timeline.events.map { event in
                defer { previous = event.eventAtMS }
                return [
                    "seq": .int(event.seq),
                    "event_type": .string(event.eventType.rawValue),
                    "at": .time(event.eventAtMS),
                    "created_at": .time(event.createdAtMS),
                    "delta_ms": .int(previous.map { event.eventAtMS - $0 }),
                    "acked": .bool(event.acked),
                    "detail": .string(event.detail),
                ]
            }
            Console.out(json: [
                "request_id": .string(summary.requestID),
                "job_type": .string(summary.jobType),
                "status": .string(summary.status.rawValue),
                "first_event_at": .time(summary.firstEventMS),
                "last_event_at": .time(summary.lastEventMS),
                "duration_ms": .int(summary.durationMS),
                "event_count": .int(summary.eventCount),
                "retired_events": .int(timeline.retiredEvents),
                "events": .array(events),
            ])
            return
        }
        Console.out(lines: TextTable.keyValues([
            ("request", summary.requestID),
            ("job type", summary.jobType ?? "unknown (no accepted event with data.job_type)"),
            ("status", summary.status.rawValue),
            ("first event", RFC3339.format(milliseconds: summary.firstEventMS)),
            ("last event", RFC3339.format(milliseconds: summary.lastEventMS)),
            ("duration", summary.durationMS.map { DurationText.format(milliseconds: $0) } ?? "not finished"),
            ("events", "\(summary.eventCount) (\(timeline.retiredEvents) retired by retention or the size bound)"),
        ]))
        Console.out("")
        var table = TextTable([.right("seq"), .left("event"), .left("time"), .right("+delta"), .left("acked"), .left("detail")])
        var previous: Int64?
        for event in timeline.events {
            table.add([
                String(event.seq), event.eventType.rawValue, RFC3339.format(milliseconds: event.eventAtMS),
                previous.map { "+" + DurationText.format(milliseconds: event.eventAtMS - $0) } ?? "-",
                event.acked ? "yes" : "no", event.detail ?? "",
            ])
            previous = event.eventAtMS
        }
        Console.out(lines: table.render())
    }
}
