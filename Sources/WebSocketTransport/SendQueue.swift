internal import CWebSockets
import DequeModule

/// The two-lane queue of one connection. Not thread-safe: the connection guards it with its lock.
/// A fragmented message, once started, is finished before anything else (RFC 6455 forbids
/// interleaving data frames of two messages); control frames never fragment.
struct SendQueue {
    struct Lane {
        var messages = Deque<OutgoingMessage>()
        var bytes = 0
    }

    /// The next frame to write and whether anything remains queued after it.
    struct Step {
        var frame: [UInt8]
        var flags: lws_write_protocol
        var moreQueued: Bool
    }

    let limits: SendQueueLimits
    private var high = Lane()
    private var normal = Lane()
    private var current: (message: OutgoingMessage, next: Int)?

    init(limits: SendQueueLimits) { self.limits = limits }

    var status: SendQueueStatus {
        let currentBytes = current?.message.payloadBytes ?? 0
        return SendQueueStatus(
            messages: high.messages.count + normal.messages.count + (current == nil ? 0 : 1),
            bytes: high.bytes + normal.bytes + currentBytes)
    }

    var isEmpty: Bool { current == nil && high.messages.isEmpty && normal.messages.isEmpty }

    mutating func enqueue(_ message: OutgoingMessage, priority: SendPriority) throws(WebSocketSendError) {
        switch priority {
        case .high:
            guard fits(message, in: high) else { throw queueFull }
            high.messages.append(message)
            high.bytes += message.payloadBytes
        case .normal:
            guard fits(message, in: normal) else { throw queueFull }
            normal.messages.append(message)
            normal.bytes += message.payloadBytes
        }
    }

    private func fits(_ message: OutgoingMessage, in lane: Lane) -> Bool {
        lane.messages.count < limits.maxMessages && lane.bytes + message.payloadBytes <= limits.maxBytes
    }

    private var queueFull: WebSocketSendError {
        let status = status
        return .queueFull(queuedMessages: status.messages, queuedBytes: status.bytes)
    }

    mutating func nextStep() -> Step? {
        if current == nil {
            if let message = high.messages.popFirst() {
                high.bytes -= message.payloadBytes
                current = (message, 0)
            } else if let message = normal.messages.popFirst() {
                normal.bytes -= message.payloadBytes
                current = (message, 0)
            }
        }
        guard var (message, index) = current else { return nil }
        let flags = message.writeFlags(frame: index)
        let frame = message.frames[index]
        message.frames[index] = []
        index += 1
        current = index < message.frames.count ? (message, index) : nil
        return Step(frame: frame, flags: flags, moreQueued: !isEmpty)
    }

    mutating func removeAll() {
        high = Lane()
        normal = Lane()
        current = nil
    }
}
