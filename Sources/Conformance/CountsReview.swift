internal import ConnectorCore

/// R6 where the wire cannot show it: whether the cloud *counted* each message once. Read from a
/// counts endpoint shaped like the reference cloud's `GET {api}/admin/devices/{id}/counts`
/// (`{"messages", "usage": {"reports", "total_tokens", "cost_micros"}}`).
enum CountsReview {
    struct Expected {
        /// Distinct message ids sent.
        let messages: Int
        let usage: DeviceFrames.Usage
        /// The duplicates sent, for the report: "seq 2 and 4 resent, seq 6 with the id of seq 2".
        let duplicates: String
    }

    static func judge(_ expected: Expected, counts: JSONValue) -> CheckOutcome {
        guard let messages = counts["messages"]?.numberValue?.int64,
            let usage = counts["usage"], let reports = usage["reports"]?.numberValue?.int64,
            let tokens = usage["total_tokens"]?.numberValue?.int64, let cost = usage["cost_micros"]?.numberValue?.int64
        else {
            return .skip("the counts endpoint answered without the reference cloud's shape (messages, usage.reports, usage.total_tokens, usage.cost_micros): counting is not observable on the wire")
        }
        let sent = "sent \(expected.messages) distinct messages, \(expected.usage.reports) of them usage reports, plus \(expected.duplicates)"
        if messages > Int64(expected.messages) {
            return .fail("\(sent); the cloud counts \(messages) messages: duplicates were counted again (R6)")
        }
        if messages < Int64(expected.messages) {
            return .fail("\(sent), all acked; the cloud counts only \(messages) messages: acked messages are missing (R5)")
        }
        let counted = DeviceFrames.Usage(reports: Int(reports), totalTokens: tokens, costMicros: cost)
        if counted != expected.usage {
            return .fail(
                "\(sent); the cloud's usage totals are \(text(counted)), expected \(text(expected.usage)): \(counted.reports > expected.usage.reports ? "a resent report was billed again (R6)" : "the totals do not match the reports held")")
        }
        return .pass("\(expected.messages) messages and \(expected.usage.reports) usage reports (\(expected.usage.totalTokens) tokens) counted once, although \(expected.duplicates)")
    }

    static func text(_ usage: DeviceFrames.Usage) -> String {
        "\(usage.reports) reports, \(usage.totalTokens) tokens, cost \(usage.costMicros) micro-units"
    }
}
