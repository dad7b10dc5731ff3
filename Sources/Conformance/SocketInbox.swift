internal import ConnectorCore
import WebSocketTransport

/// Something the cloud did on a socket, as a check sees it. Frames are read with the connector's
/// own decoder: what it cannot use, no device built on it can, so the kit reports it.
enum Arrival: Sendable, Equatable {
    case frame(InboundFrame)
    /// A frame the connector would drop (§1), with its `type` when it had one, and why.
    case malformed(type: String?, reason: String)
    case closed(WebSocketClosure)
}

/// The arrivals of one socket, in order, for checks that wait for the next one with a deadline.
/// One reader at a time.
actor SocketInbox {
    private var queued: [Arrival] = []
    private var ended = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Arrival?, Never>, timer: Task<Void, Never>?)?
    private var nextWaiterID: UInt64 = 0

    func deliver(_ arrival: Arrival) {
        if case .closed = arrival { ended = true }
        if let waiter {
            self.waiter = nil
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: arrival)
        } else {
            queued.append(arrival)
        }
    }

    /// The next arrival, or nil once `timeout` passed or after the close was taken.
    func next(within timeout: Duration) async -> Arrival? {
        if !queued.isEmpty { return queued.removeFirst() }
        if ended { return nil }
        nextWaiterID &+= 1
        let id = nextWaiterID
        return await withCheckedContinuation { continuation in
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await self?.expire(id)
            }
            waiter = (id, continuation, timer)
        }
    }

    private func expire(_ id: UInt64) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
