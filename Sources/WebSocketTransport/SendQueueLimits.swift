/// Bounds on what a connection holds before it is written. Each priority lane is bounded on its
/// own, so a full normal lane never blocks a high-priority message.
public struct SendQueueLimits: Sendable, Equatable {
    public var maxMessages: Int
    public var maxBytes: Int

    public init(maxMessages: Int = 10_000, maxBytes: Int = 16 << 20) {
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
    }
}

/// How many messages and payload bytes are queued and not yet handed to the socket.
public struct SendQueueStatus: Sendable, Equatable {
    public var messages: Int
    public var bytes: Int

    public init(messages: Int, bytes: Int) {
        self.messages = messages
        self.bytes = bytes
    }
}

/// `.high` messages overtake every queued `.normal` one (heartbeats behind a replay).
public enum SendPriority: Sendable {
    case normal
    case high
}
