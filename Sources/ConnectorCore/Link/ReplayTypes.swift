/// What the replay window needs to know about a held outbox message: its seq. The shell's stored
/// message type conforms (for the OutboxStore's `StoredMessage`, a one-line extension).
public protocol ReplayMessage: Sendable {
    var seq: Int64 { get }
}

/// A request for the next page of pending messages: the held messages with seq > `after`, in seq
/// order, at most `limit` (the store's `pendingPage(after:limit:)`). Hand the answer back with
/// `pageLoaded(_:for:)` and this same value; answers to an older request or connection are ignored.
public struct PageRequest: Sendable, Hashable, CustomStringConvertible {
    public let after: Int64
    public let limit: Int
    let connection: UInt64
    /// The highest seq known to be assigned when the request was made: a short page proves every
    /// held seq up to here has been read.
    let knownLastSeq: Int64

    public var description: String { "page after \(after) limit \(limit)" }
}

/// Things the window saw that a correct store and cloud never produce. Log them loudly; the window
/// has already protected the ordering rules it owns.
public enum ReplayAnomaly: Sendable, Equatable, CustomStringConvertible {
    /// The store returned a seq not above the page's cursor or the previous row: it was skipped.
    case pageOutOfOrder(expectedAbove: Int64, got: Int64)
    /// The cloud acked a seq this connection has not sent yet. Legitimate when the cloud finishes
    /// storing frames that reached it on the previous connection; a cloud that acks seqs it never
    /// received looks the same, so it is worth a warning, not an error.
    case ackAboveSent(ack: Int64, sentThrough: Int64)

    public var description: String {
        switch self {
        case .pageOutOfOrder(let expectedAbove, let got):
            "store returned seq \(got) where only seqs above \(expectedAbove) belong; skipped it"
        case .ackAboveSent(let ack, let sentThrough):
            "cloud acked seq \(ack) but this connection has only sent up to \(sentThrough)"
        }
    }
}

/// What the replay window asks the shell to do, in order.
public enum ReplayAction<Message: ReplayMessage>: Sendable {
    /// R7: the cloud holds seqs this store never assigned (the store was lost or replaced). Move the
    /// store's next seq past `past` before appending anything else, and say so loudly in log and
    /// status. (`OutboxStore.acknowledge(through:)` does the move itself, atomically.)
    case advanceSequence(past: Int64, lastAssigned: Int64)
    /// The cloud's `acked_seq` is below what the store recorded as acked: the cloud lost data. Set
    /// the store's delivery cursor back to `to`, so the messages it still holds in `(to, from]` are
    /// read as pending and resent (R7: everything above `acked_seq` that the device holds).
    case rewindAcked(from: Int64, to: Int64)
    /// Record the cumulative ack durably (`OutboxStore.acknowledge(through:)`).
    case markAcked(through: Int64)
    case fetchPage(PageRequest)
    /// Send these outbox messages now, in this order (at most `maxBatch` of them).
    case send([Message])
    case reportAnomaly(ReplayAnomaly)
}

extension ReplayAction: Equatable where Message: Equatable {}
