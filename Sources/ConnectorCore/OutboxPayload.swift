/// Validation of outbox payloads against PROTOCOL §4's device → cloud table, done at append time so
/// that nothing malformed is ever stored and replayed (R3's "a replay can never block on it").
public enum OutboxPayload {
    public static let maxIdentifierBytes = 256

    /// The payload's typed fields, or the first rule it breaks. Unknown extra fields are allowed.
    public static func validate(type: OutboxMessageType, payload: JSONValue) throws(PayloadError) -> OutboxFields {
        let reader = try PayloadReader(payload, path: "payload")
        switch type {
        case .executionEvent: return try ExecutionEventValidation.validate(reader)
        case .usageReport: return try UsageReportValidation.validate(reader)
        case .messagingReply: return try MessagingReplyValidation.validate(reader)
        }
    }
}
