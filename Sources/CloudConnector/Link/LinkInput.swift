import ConnectorCore
import OutboxStore
import WebSocketTransport

/// Everything that can happen to the link, posted into one mailbox and handled in order by the
/// `LinkDriver`'s loop, which alone owns the state machines. Inputs tagged with an `attempt` belong
/// to one socket; the driver drops those of a socket it has already let go of.
enum LinkInput: Sendable {
    case start
    case token(TokenFetchResult)
    case socketConnected(attempt: UInt64, WebSocketConnection)
    /// `refusedWith` is the close code a refused upgrade stands for (401 → 4401, 403 → 4403).
    case socketFailed(attempt: UInt64, reason: String, refusedWith: UInt16?)
    case socketEvent(attempt: UInt64, WebSocketEvent)
    /// The close handshake of `attempt` did not finish in time: cut the TCP connection.
    case closeTimedOut(attempt: UInt64)
    /// The state machine's timer, armed as `generation`.
    case tick(generation: UInt64)
    /// Hand the next batch of the replay window to the socket (one batch per turn, so heartbeats
    /// and acks interleave with a replay).
    case pump
    /// The socket's send queue went below the low-water mark.
    case sendQueueDrained(attempt: UInt64)
    case pageRead(PageRequest, Result<[StoredMessage], OutboxError>)
    case retryPageRead
    case heartbeatBacklog(attempt: UInt64, Result<Backlog, OutboxError>)
    /// The outbox files changed: some process may have appended.
    case storeChanged
    case ackRecorded(Result<AckOutcome, OutboxError>)
    case rewindRecorded(Result<AckRewind?, OutboxError>)
    case statusRecorded(Result<Void, OutboxError>)
    case statusFlushDue
    case shutdownRequested
    /// The grace period for in-flight sends is over.
    case drainDeadline
}
