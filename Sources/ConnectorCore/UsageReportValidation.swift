/// `usage_report`: {report_id, request_id, executor_device_id, tenant_id, workspace_id?,
/// metrics: {duration_ms, token_usage?, cost_estimate?, model?}, timestamp}.
enum UsageReportValidation {
    static let maxCurrencyBytes = 16

    static func validate(_ payload: PayloadReader) throws(PayloadError) -> OutboxFields {
        let reportID = try payload.identifier("report_id")
        let requestID = try payload.identifier("request_id")
        let executorDeviceID = try payload.identifier("executor_device_id")
        let tenantID = try payload.identifier("tenant_id")
        let workspaceID = try payload.optionalString("workspace_id") ?? ""

        let metrics = try payload.object("metrics")
        let durationMS = try metrics.nonNegativeWholeNumber("duration_ms")
        var tokens: (prompt: Int64, completion: Int64, total: Int64) = (0, 0, 0)
        if let tokenUsage = try metrics.optionalObject("token_usage") {
            tokens.prompt = try tokenUsage.nonNegativeWholeNumber("prompt_tokens")
            tokens.completion = try tokenUsage.nonNegativeWholeNumber("completion_tokens")
            tokens.total = try tokenUsage.nonNegativeWholeNumber("total_tokens")
        }
        var costMicros: Int64 = 0
        var currency = ""
        if let cost = try metrics.optionalObject("cost_estimate") {
            costMicros = try amountMicros(cost)
            currency = try cost.boundedString("currency", maxBytes: maxCurrencyBytes)
        }
        let model = try metrics.optionalString("model") ?? ""

        let timestamp = try payload.timestamp("timestamp")
        let fields = UsageFields(
            reportID: reportID, executorDeviceID: executorDeviceID, tenantID: tenantID,
            workspaceID: workspaceID, model: model, durationMS: durationMS,
            promptTokens: tokens.prompt, completionTokens: tokens.completion, totalTokens: tokens.total,
            costMicros: costMicros, currency: currency)
        return OutboxFields(requestID: requestID, timestampMS: timestamp, detail: .usage(fields))
    }

    private static func amountMicros(_ cost: PayloadReader) throws(PayloadError) -> Int64 {
        let amount = try cost.number("amount")
        // Decided on the literal, not on rounded micros: "-0.0000001" rounds to 0 but is negative.
        guard !amount.literal.hasPrefix("-") || isZero(amount) else {
            throw cost.failure("amount", "must be a non-negative number")
        }
        guard let micros = amount.micros else { throw cost.failure("amount", "is too large") }
        return micros
    }

    /// "-0", "-0.0", "-0e5": negative zero is still zero, not a negative amount.
    private static func isZero(_ number: JSONNumber) -> Bool {
        for byte in number.literal.utf8 {
            if byte == ASCII.lowerE || byte == ASCII.upperE { break }
            if byte >= 0x31 && byte <= ASCII.nine { return false }
        }
        return true
    }
}
