import ConnectorCore
import Executors

/// What an execution's `usage` lines add up to, for its usage_report. Costs are summed exactly in
/// millionths; a cost in a second currency cannot be added and is reported in the log instead.
struct UsageTotals: Sendable, Equatable {
    var promptTokens: Int64 = 0
    var completionTokens: Int64 = 0
    var totalTokens: Int64 = 0
    var reportedTokens = false
    var costMicros: Int64?
    var currency: String?
    var model: String?
    var droppedCosts: [String] = []

    mutating func add(_ usage: UsageFigures) {
        if usage.promptTokens != 0 || usage.completionTokens != 0 || usage.totalTokens != 0 { reportedTokens = true }
        promptTokens &+= max(usage.promptTokens, 0)
        completionTokens &+= max(usage.completionTokens, 0)
        totalTokens &+= max(usage.totalTokens, 0)
        if let model = usage.model { self.model = model }
        guard let amount = usage.costAmount, let micros = amount.micros, micros >= 0 else { return }
        let unit = usage.currency ?? currency ?? "USD"
        if let currency, currency != unit {
            droppedCosts.append("\(amount.literal) \(unit)")
            return
        }
        currency = unit
        costMicros = (costMicros ?? 0) &+ micros
    }

    /// `metrics` of the usage_report (PROTOCOL §4).
    func metrics(durationMS: Int64) -> JSONObject {
        var metrics: JSONObject = ["duration_ms": .number(JSONNumber(max(durationMS, 0)))]
        if reportedTokens {
            metrics["token_usage"] = [
                "prompt_tokens": .number(JSONNumber(promptTokens)),
                "completion_tokens": .number(JSONNumber(completionTokens)),
                "total_tokens": .number(JSONNumber(max(totalTokens, promptTokens &+ completionTokens))),
            ]
        }
        if let costMicros, let currency {
            metrics["cost_estimate"] = [
                "amount": .number(JSONNumber(literal: Self.decimal(micros: costMicros)) ?? JSONNumber(0)),
                "currency": .string(currency),
            ]
        }
        if let model { metrics["model"] = .string(model) }
        return metrics
    }

    /// 41200 → "0.0412": exact, no binary floating point.
    static func decimal(micros: Int64) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}
