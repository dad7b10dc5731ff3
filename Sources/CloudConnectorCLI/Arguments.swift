import ArgumentParser
import ConnectorCore
import OutboxStore

/// `--type` values: the outbox message types of PROTOCOL §4.
enum MessageTypeArgument: String, ExpressibleByArgument, CaseIterable {
    case executionEvent = "execution_event"
    case usageReport = "usage_report"
    case messagingReply = "messaging_reply"

    var type: OutboxMessageType { OutboxMessageType(rawValue: rawValue)! }
}

/// `--state` values.
enum StateArgument: String, ExpressibleByArgument, CaseIterable {
    case pending, acked, all

    var filter: DeliveryFilter { DeliveryFilter(rawValue: rawValue)! }
}

/// `metering export --format` values.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, cloudevents
}
