/// The typed fields a validated outbox payload yields, for the store's columns and projections.
public struct OutboxFields: Sendable, Equatable {
    public var requestID: String
    /// `payload.timestamp`, parsed with RFC 3339.
    public var timestampMS: Int64
    public var detail: Detail

    public enum Detail: Sendable, Equatable {
        case execution(ExecutionFields)
        case usage(UsageFields)
        case reply(ReplyFields)
    }

    public init(requestID: String, timestampMS: Int64, detail: Detail) {
        self.requestID = requestID
        self.timestampMS = timestampMS
        self.detail = detail
    }

    /// The id that must be unique in the store (R2): event_id for execution events, report_id for
    /// usage reports; replies have none.
    public var naturalKey: String? {
        switch detail {
        case .execution(let fields): fields.eventID
        case .usage(let fields): fields.reportID
        case .reply: nil
        }
    }
}
