/// What the cloud holds from one device, for tests that compare it with the device's store.
public struct DeviceCounts: Sendable, Equatable {
    /// Distinct messages stored.
    public var messages: Int
    /// Messages received again (same seq or same id) and not stored again (R6).
    public var duplicates: Int
    /// Highest seq stored, 0 when none.
    public var highestSeq: Int64
    /// The acked_seq `connect_ack` would announce now.
    public var ackedSeq: Int64
    /// Stored messages per `type`.
    public var byType: [String: Int]

    public init(messages: Int, duplicates: Int, highestSeq: Int64, ackedSeq: Int64, byType: [String: Int]) {
        self.messages = messages
        self.duplicates = duplicates
        self.highestSeq = highestSeq
        self.ackedSeq = ackedSeq
        self.byType = byType
    }
}

/// One stored outbox message; `payload` is the compact JSON text as received.
public struct CloudMessage: Sendable, Equatable {
    public var seq: Int64
    public var id: String
    public var type: String
    public var payload: String
}

/// Sums over a device's stored `usage_report` payloads.
public struct UsageTotals: Sendable, Equatable {
    public var reports: Int
    public var promptTokens: Int64
    public var completionTokens: Int64
    public var totalTokens: Int64
    /// `cost_estimate.amount` summed exactly, in millionths.
    public var costMicros: Int64
}

/// What a device said about itself, as the cloud received it (not stored): tests compare it with
/// the device's store.
public struct DeviceReports: Sendable, Equatable {
    /// `resume.last_seq` of each `connect`, oldest first (nil when absent or not a whole number).
    public var resumeLastSeqs: [Int64?] = []
    /// Each `heartbeat`'s payload, oldest first.
    public var heartbeats: [HeartbeatReport] = []
    /// Outbox messages that arrived at or below a seq already received on the same connection:
    /// R4 wants seq order per connection (a new connection starts again above `acked_seq`).
    public var orderViolations: [OrderViolation] = []

    public init() {}
}

/// An outbox message that arrived out of seq order on one connection.
public struct OrderViolation: Sendable, Equatable, CustomStringConvertible {
    public var sessionID: String
    public var seq: Int64
    /// The highest seq received earlier on that connection.
    public var after: Int64

    public var description: String { "seq \(seq) after seq \(after) on session \(sessionID)" }
}

/// A `heartbeat` payload: the highest seq assigned and how many messages are not yet acked.
public struct HeartbeatReport: Sendable, Equatable {
    public var lastSeq: Int64?
    public var pending: Int64?

    public init(lastSeq: Int64?, pending: Int64?) {
        self.lastSeq = lastSeq
        self.pending = pending
    }
}
