import ConnectorCore
import Testing

@Suite struct UsageReportValidationTests {
    static let full: JSONValue = [
        "report_id": "rep-1", "request_id": "req-1", "executor_device_id": "dev-1", "tenant_id": "tenant-1",
        "workspace_id": "ws-1",
        "metrics": [
            "duration_ms": 1234,
            "token_usage": ["prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30],
            "cost_estimate": ["amount": .number(JSONNumber(literal: "0.0123")!), "currency": "USD"],
            "model": "gpt-x",
        ],
        "timestamp": timestamp,
    ]

    static let minimal: JSONValue = [
        "report_id": "rep-2", "request_id": "req-2", "executor_device_id": "dev-1", "tenant_id": "tenant-1",
        "metrics": ["duration_ms": 0], "timestamp": timestamp,
    ]

    @Test func acceptsTheFullExample() throws {
        let fields = try OutboxPayload.validate(type: .usageReport, payload: Self.full)
        let expected = UsageFields(
            reportID: "rep-1", executorDeviceID: "dev-1", tenantID: "tenant-1", workspaceID: "ws-1", model: "gpt-x",
            durationMS: 1234, promptTokens: 10, completionTokens: 20, totalTokens: 30, costMicros: 12_300,
            currency: "USD")
        #expect(fields == OutboxFields(requestID: "req-1", timestampMS: timestampMS, detail: .usage(expected)))
        #expect(fields.naturalKey == "rep-1")
    }

    @Test func absentOptionalsBecomeZeroAndEmpty() throws {
        let fields = try OutboxPayload.validate(type: .usageReport, payload: Self.minimal)
        let expected = UsageFields(
            reportID: "rep-2", executorDeviceID: "dev-1", tenantID: "tenant-1", workspaceID: "", model: "",
            durationMS: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0, currency: "")
        #expect(fields.detail == .usage(expected))
    }

    @Test func nullOptionalsCountAsAbsent() throws {
        var payload = Self.minimal
        payload = setting(.null, at: ["workspace_id"], in: payload)
        for key in ["token_usage", "cost_estimate", "model"] {
            payload = setting(.null, at: ["metrics", key], in: payload)
        }
        let fields = try OutboxPayload.validate(type: .usageReport, payload: payload)
        guard case .usage(let usage) = fields.detail else { return #expect(Bool(false)) }
        #expect(usage.workspaceID == "" && usage.model == "" && usage.totalTokens == 0 && usage.costMicros == 0)
    }

    @Test(arguments: ["1500.0", "15e2", "1.5e3"])
    func acceptsWholeNumbersWrittenAsDecimals(literal: String) throws {
        let payload = setting(.number(JSONNumber(literal: literal)!), at: ["metrics", "duration_ms"], in: Self.minimal)
        let fields = try OutboxPayload.validate(type: .usageReport, payload: payload)
        guard case .usage(let usage) = fields.detail else { return #expect(Bool(false)) }
        #expect(usage.durationMS == 1500)
    }

    @Test(arguments: [("0", 0), ("-0", 0), ("12.5", 12_500_000), ("0.0000015", 2)] as [(String, Int64)])
    func costIsExactMicros(literal: String, micros: Int64) throws {
        let payload = setting(.number(JSONNumber(literal: literal)!), at: ["metrics", "cost_estimate", "amount"], in: Self.full)
        let fields = try OutboxPayload.validate(type: .usageReport, payload: payload)
        guard case .usage(let usage) = fields.detail else { return #expect(Bool(false)) }
        #expect(usage.costMicros == micros)
    }

    static let wholeNumberReason = "must be a non-negative whole number"

    @Test(arguments: [
        Rejection("report_id", nil, "payload.report_id: is required"),
        Rejection("report_id", "", "payload.report_id: must be a non-empty string"),
        Rejection("report_id", tooLongIdentifier, "payload.report_id: must be at most 256 UTF-8 bytes"),
        Rejection("request_id", nil, "payload.request_id: is required"),
        Rejection("executor_device_id", nil, "payload.executor_device_id: is required"),
        Rejection("executor_device_id", 1, "payload.executor_device_id: must be a string"),
        Rejection("tenant_id", nil, "payload.tenant_id: is required"),
        Rejection("tenant_id", "", "payload.tenant_id: must be a non-empty string"),
        Rejection("workspace_id", 5, "payload.workspace_id: must be a string"),
        Rejection("metrics", nil, "payload.metrics: is required"),
        Rejection("metrics", "fast", "payload.metrics: must be an object"),
        Rejection("metrics.duration_ms", nil, "payload.metrics.duration_ms: is required"),
        Rejection("metrics.duration_ms", -1, "payload.metrics.duration_ms: \(wholeNumberReason)"),
        Rejection("metrics.duration_ms", .number(JSONNumber(literal: "1.5")!), "payload.metrics.duration_ms: \(wholeNumberReason)"),
        Rejection("metrics.duration_ms", "12", "payload.metrics.duration_ms: \(wholeNumberReason)"),
        Rejection(
            "metrics.duration_ms", .number(JSONNumber(literal: "1e30")!),
            "payload.metrics.duration_ms: \(wholeNumberReason)"),
        Rejection("metrics.token_usage", [1, 2, 3], "payload.metrics.token_usage: must be an object"),
        Rejection("metrics.token_usage.prompt_tokens", nil, "payload.metrics.token_usage.prompt_tokens: is required"),
        Rejection("metrics.token_usage.completion_tokens", nil, "payload.metrics.token_usage.completion_tokens: is required"),
        Rejection("metrics.token_usage.total_tokens", nil, "payload.metrics.token_usage.total_tokens: is required"),
        Rejection("metrics.token_usage.total_tokens", -30, "payload.metrics.token_usage.total_tokens: \(wholeNumberReason)"),
        Rejection("metrics.cost_estimate", 1, "payload.metrics.cost_estimate: must be an object"),
        Rejection("metrics.cost_estimate.amount", nil, "payload.metrics.cost_estimate.amount: is required"),
        Rejection("metrics.cost_estimate.amount", "0.01", "payload.metrics.cost_estimate.amount: must be a number"),
        Rejection(
            "metrics.cost_estimate.amount", .number(JSONNumber(literal: "-0.0000001")!),
            "payload.metrics.cost_estimate.amount: must be a non-negative number"),
        Rejection(
            "metrics.cost_estimate.amount", .number(JSONNumber(literal: "1e20")!),
            "payload.metrics.cost_estimate.amount: is too large"),
        Rejection("metrics.cost_estimate.currency", nil, "payload.metrics.cost_estimate.currency: is required"),
        Rejection("metrics.cost_estimate.currency", "", "payload.metrics.cost_estimate.currency: must be a non-empty string"),
        Rejection(
            "metrics.cost_estimate.currency", "ABCDEFGHIJKLMNOPQ",
            "payload.metrics.cost_estimate.currency: must be at most 16 UTF-8 bytes"),
        Rejection("metrics.model", true, "payload.metrics.model: must be a string"),
        Rejection("timestamp", nil, "payload.timestamp: is required"),
        Rejection("timestamp", "yesterday", "payload.timestamp: must be an RFC 3339 time"),
    ])
    func rejects(rejection: Rejection) {
        let payload = setting(rejection.value, at: rejection.path, in: Self.full)
        #expect(validationError(.usageReport, payload)?.description == rejection.expected)
    }
}
