public import ConnectorCore

/// An outbound message as a producer hands it to the outbox.
public struct MessageDraft: Sendable {
    public var type: OutboxMessageType
    public var payload: JSONValue
    /// Set only when re-appending a message that already has an identity (salvage keeps ids and
    /// times, so the cloud's dedupe recognises it). Fresh messages get a new id and the current time.
    public var id: MessageID?
    public var createdAtMS: Int64?

    public init(type: OutboxMessageType, payload: JSONValue, id: MessageID? = nil, createdAtMS: Int64? = nil) {
        self.type = type
        self.payload = payload
        self.id = id
        self.createdAtMS = createdAtMS
    }
}

/// A validated, encoded and (maybe) compressed message, ready for the writer thread to insert.
/// All the CPU work happens here, in the producer, so the single writer only runs SQL.
public struct PreparedMessage: Sendable {
    /// Set only for a message that arrived with an id of its own (salvage); otherwise the id is
    /// derived from the seq the writer assigns (MessageIDScheme).
    public let explicitID: MessageID?
    public let type: OutboxMessageType
    public let fields: OutboxFields
    public let createdAtMS: Int64
    public let codec: Int
    /// Size of the stored JSON before compression (fields the typed columns hold are left out).
    public let rawSize: Int
    public let stored: [UInt8]
    let layout: PayloadLayout
    /// The uncompressed payload, kept only to compare a repeated natural key with what is stored.
    public let payloadBytes: [UInt8]

    /// What the size bound counts for this row: stored bytes plus a fixed per-row overhead for the
    /// typed columns and index entries.
    public var heldBytes: Int64 { Int64(stored.count) + PreparedMessage.rowOverhead }
    public static let rowOverhead: Int64 = 96
}

/// The result of one appended message.
public struct AppendedMessage: Sendable, Equatable {
    public let seq: Int64
    public let id: MessageID
    public let createdAtMS: Int64
    public let type: OutboxMessageType
    /// True when the message's event_id/report_id was already stored with the same content: nothing
    /// new was written and `seq`/`id` are the stored message's.
    public let duplicate: Bool
}
