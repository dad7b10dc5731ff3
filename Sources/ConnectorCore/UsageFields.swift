/// What a `usage_report` payload yields: the numbers usage projections add up.
public struct UsageFields: Sendable, Equatable {
    public var reportID: String
    public var executorDeviceID: String
    public var tenantID: String
    /// "" when absent or null.
    public var workspaceID: String
    /// `metrics.model`, "" when absent or null.
    public var model: String
    public var durationMS: Int64
    /// 0 when `token_usage` is absent.
    public var promptTokens: Int64
    public var completionTokens: Int64
    public var totalTokens: Int64
    /// `cost_estimate.amount` in millionths (exact decimal, see `JSONNumber.micros`), 0 when absent.
    public var costMicros: Int64
    /// `cost_estimate.currency`, "" when absent.
    public var currency: String

    public init(
        reportID: String, executorDeviceID: String, tenantID: String, workspaceID: String, model: String,
        durationMS: Int64, promptTokens: Int64, completionTokens: Int64, totalTokens: Int64,
        costMicros: Int64, currency: String
    ) {
        self.reportID = reportID
        self.executorDeviceID = executorDeviceID
        self.tenantID = tenantID
        self.workspaceID = workspaceID
        self.model = model
        self.durationMS = durationMS
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costMicros = costMicros
        self.currency = currency
    }
}
