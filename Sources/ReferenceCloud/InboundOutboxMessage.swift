internal import ConnectorCore

/// One outbox message as received, ready to store.
struct InboundOutboxMessage: Sendable {
    var seq: Int64
    var id: String
    var type: String
    var tenantID: String
    var ts: String
    /// Compact JSON of the payload object.
    var payload: String
    var usage: UsageNumbers

    /// Numbers read leniently from a `usage_report`: a cloud stores what the device holds even when a
    /// field is missing, so totals use 0 rather than refusing the message.
    struct UsageNumbers: Sendable {
        var promptTokens: Int64 = 0
        var completionTokens: Int64 = 0
        var totalTokens: Int64 = 0
        var costMicros: Int64 = 0

        init() {}

        init(payload: JSONValue) {
            let metrics = payload["metrics"]
            let tokens = metrics?["token_usage"]
            promptTokens = tokens?["prompt_tokens"]?.numberValue?.int64 ?? 0
            completionTokens = tokens?["completion_tokens"]?.numberValue?.int64 ?? 0
            totalTokens = tokens?["total_tokens"]?.numberValue?.int64 ?? 0
            costMicros = metrics?["cost_estimate"]?["amount"]?.numberValue?.micros ?? 0
        }
    }
}
