public import ConnectorCore

/// A held log row. `payload` is the decoded JSON text exactly as it is sent, or empty when the row
/// was read as a summary only.
public struct StoredMessage: Sendable, Equatable {
    public let seq: Int64
    public let id: MessageID
    public let type: OutboxMessageType
    public let requestID: String
    public let createdAtMS: Int64
    public let eventAtMS: Int64
    public let naturalKey: String?
    public let eventType: ExecutionEventType?
    public let codec: Int
    public let rawSize: Int
    public let storedSize: Int
    public let acked: Bool
    public let payload: [UInt8]

    /// The exact frame the dispatcher sends, the same on every resend (R2).
    public var envelope: [UInt8] {
        Envelope.encode(type: type, id: id, createdAtMS: createdAtMS, seq: seq, payload: payload)
    }
}

/// Which held messages to read, by delivery state.
public enum DeliveryFilter: String, Sendable, CaseIterable {
    case pending, acked, all
}

/// The filters of `outbox inspect`. Ranges are inclusive for seqs and half-open for times.
public struct InspectFilter: Sendable {
    public var delivery: DeliveryFilter = .all
    public var type: OutboxMessageType?
    public var requestID: String?
    public var fromSeq: Int64?
    public var toSeq: Int64?
    public var sinceMS: Int64?
    public var untilMS: Int64?
    public var limit: Int = 100

    public init() {}
}
