@testable import CloudConnector
import ConnectorCore
import Executors
import Testing

/// An execution's `usage` lines summed into its usage_report's metrics (PROTOCOL §4).
@Suite("Usage totals of one execution")
struct UsageTotalsTests {
    static func cost(_ literal: String, _ currency: String?) -> UsageFigures {
        UsageFigures(costAmount: JSONNumber(literal: literal), currency: currency)
    }

    @Test("tokens add up; costs add exactly in millionths, without binary floating point")
    func sums() {
        var totals = UsageTotals()
        totals.add(UsageFigures(promptTokens: 100, completionTokens: 20, totalTokens: 120, model: "m1"))
        totals.add(UsageFigures(promptTokens: 5, completionTokens: 5, totalTokens: 10))
        totals.add(Self.cost("0.1", "USD"))
        totals.add(Self.cost("0.2", nil))
        let metrics = totals.metrics(durationMS: 1500)
        #expect(metrics["token_usage"]?["total_tokens"]?.numberValue?.literal == "130")
        #expect(metrics["cost_estimate"]?["amount"]?.numberValue?.literal == "0.3")
        #expect(metrics["cost_estimate"]?["currency"] == "USD")
        #expect(metrics["model"] == "m1")
        #expect(metrics["duration_ms"]?.numberValue?.literal == "1500")
    }

    @Test("a cost in a second currency is kept out of the report and remembered for the log")
    func secondCurrency() {
        var totals = UsageTotals()
        totals.add(Self.cost("1.5", "EUR"))
        totals.add(Self.cost("2", "USD"))
        totals.add(Self.cost("0.5", "EUR"))
        let metrics = totals.metrics(durationMS: 0)
        #expect(metrics["cost_estimate"]?["amount"]?.numberValue?.literal == "2")
        #expect(metrics["cost_estimate"]?["currency"] == "EUR")
        #expect(totals.droppedCosts == ["2 USD"])
    }

    @Test("no usage lines: only the duration, no zero token counts or cost invented")
    func nothingReported() {
        let metrics = UsageTotals().metrics(durationMS: 42)
        #expect(metrics["token_usage"] == nil)
        #expect(metrics["cost_estimate"] == nil)
        #expect(metrics["duration_ms"]?.numberValue?.literal == "42")
    }
}
