import ConnectorCore

/// The running totals as kept on an open execution's inbox row (`usage_so_far`), so a restart can
/// bill what an interrupted execution had used. Costs in a second currency are not kept: they are
/// logged when the execution ends, and an interrupted one never gets there.
extension UsageTotals {
    var record: String {
        var object: JSONObject = [
            "prompt_tokens": .number(JSONNumber(promptTokens)),
            "completion_tokens": .number(JSONNumber(completionTokens)),
            "total_tokens": .number(JSONNumber(totalTokens)),
            "reported_tokens": .bool(reportedTokens),
        ]
        if let costMicros { object["cost_micros"] = .number(JSONNumber(costMicros)) }
        if let currency { object["currency"] = .string(currency) }
        if let model { object["model"] = .string(model) }
        return String(decoding: JSON.encode(.object(object)), as: UTF8.self)
    }

    /// nil when `record` is not one this extension wrote (the caller bills nothing rather than guess).
    init?(record: String) {
        guard let value = try? JSON.parse(record), let prompt = value["prompt_tokens"]?.numberValue?.int64,
            let completion = value["completion_tokens"]?.numberValue?.int64,
            let total = value["total_tokens"]?.numberValue?.int64, let reported = value["reported_tokens"]?.boolValue
        else { return nil }
        self.init(
            promptTokens: prompt, completionTokens: completion, totalTokens: total, reportedTokens: reported,
            costMicros: value["cost_micros"]?.numberValue?.int64, currency: value["currency"]?.stringValue,
            model: value["model"]?.stringValue)
    }
}
