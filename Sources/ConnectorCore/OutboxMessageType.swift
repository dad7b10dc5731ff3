/// The device → cloud message types that go through the outbox (PROTOCOL §4), each carrying a seq.
public enum OutboxMessageType: String, Sendable, CaseIterable {
    case executionEvent = "execution_event"
    case usageReport = "usage_report"
    case messagingReply = "messaging_reply"

    /// The number stored in the database. Stored rows outlive releases, so these never change.
    public var code: Int {
        switch self {
        case .executionEvent: 1
        case .usageReport: 2
        case .messagingReply: 3
        }
    }

    public init?(code: Int) {
        guard let type = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = type
    }
}
