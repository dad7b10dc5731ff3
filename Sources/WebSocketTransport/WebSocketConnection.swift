import Foundation

/// One WebSocket, client or server side. Every method may be called from any thread: sends and
/// closes are queued and performed by the event loop's service thread.
///
/// Read `events` to the end: it yields `.opened` first and ends after `.closed`.
public final class WebSocketConnection: @unchecked Sendable {
    // @unchecked: the send queue, close request and waiters are guarded by `lock`; `io` is
    // touched only on the event loop's service thread; everything else is immutable.

    /// Everything that happens on the connection, in order.
    public let events: AsyncStream<WebSocketEvent>
    /// For server-side connections, the upgrade request (path, query, headers).
    public let request: HTTPRequestHead?
    /// The peer URL or listening endpoint, without query, for logs.
    public let endpoint: String

    let core: LoopCore
    let eventSink: AsyncStream<WebSocketEvent>.Continuation
    /// Set for client connections: what `LoopCore` needs to dial.
    let clientSetup: ClientSetup?
    /// Service-thread-only state.
    let io: ConnectionIO

    private let lock = NSLock()
    private var queue: SendQueue
    private var phase = Phase.connecting
    private var flushScheduled = false
    private var closeRequest: (code: WebSocketCloseCode, reason: String)?
    private var drainWaiters = DrainWaiters()
    private var openWaiter: CheckedContinuation<Result<Void, TransportError>, Never>?

    enum Phase { case connecting, open, closing, closed }

    init(
        core: LoopCore, endpoint: String, request: HTTPRequestHead?, clientSetup: ClientSetup?,
        maxMessageBytes: Int, limits: SendQueueLimits
    ) {
        self.core = core
        self.endpoint = endpoint
        self.request = request
        self.clientSetup = clientSetup
        self.queue = SendQueue(limits: limits)
        self.io = ConnectionIO(maxMessageBytes: maxMessageBytes)
        (events, eventSink) = AsyncStream.makeStream(of: WebSocketEvent.self)
    }

    // MARK: Sending

    /// Queues one text message. `.high` priority overtakes every queued `.normal` message.
    public func send(text: String, priority: SendPriority = .normal) throws(WebSocketSendError) {
        try enqueue(OutgoingMessage(kind: .text, fragments: [Array(text.utf8)]), priority: priority)
    }

    /// Queues one text message that already exists as UTF-8 bytes (stored outbox envelopes), saving
    /// the copy into a `String` and back. The caller vouches for the encoding.
    public func send(utf8 bytes: [UInt8], priority: SendPriority = .normal) throws(WebSocketSendError) {
        try enqueue(OutgoingMessage(kind: .text, fragments: [bytes]), priority: priority)
    }

    /// Queues frames that the normal API never produces, for tests of a peer's robustness.
    public func sendRaw(_ frames: WebSocketRawFrames) throws(WebSocketSendError) {
        switch frames {
        case .fragmentedText(let parts):
            try enqueue(OutgoingMessage(kind: .text, fragments: parts.map { Array($0.utf8) }), priority: .normal)
        case .binary(let bytes):
            try enqueue(OutgoingMessage(kind: .binary, fragments: [bytes]), priority: .normal)
        case .ping(let payload):
            try enqueue(OutgoingMessage(kind: .ping, fragments: [Array(payload.prefix(125))]), priority: .high)
        }
    }

    /// Messages and bytes queued but not yet handed to the socket.
    public var sendQueueStatus: SendQueueStatus { lock.withLock { queue.status } }

    /// Returns once at most `bytes` payload bytes are queued, or the connection closed, or the
    /// task was cancelled. For backpressure: send, then wait before sending more.
    public func waitForSendQueue(atMostBytes bytes: Int) async {
        let id = lock.withLock { drainWaiters.makeID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock {
                    if phase == .closed || queue.status.bytes <= bytes { return true }
                    return !drainWaiters.add(id: id, threshold: bytes, continuation)
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { drainWaiters.cancel(id: id) }?.resume()
        }
    }

    private func enqueue(_ message: OutgoingMessage, priority: SendPriority) throws(WebSocketSendError) {
        lock.lock()
        guard phase == .open || phase == .connecting else {
            lock.unlock()
            throw .closed
        }
        do {
            try queue.enqueue(message, priority: priority)
        } catch {
            lock.unlock()
            throw error
        }
        let mustSchedule = takeFlushSlot()
        lock.unlock()
        if mustSchedule { scheduleFlush() }
    }

    /// Coalesces wake-ups: one pending `.flush` command is enough however many sends queue up.
    /// Caller holds `lock`.
    private func takeFlushSlot() -> Bool {
        guard !flushScheduled else { return false }
        flushScheduled = true
        return true
    }

    private func scheduleFlush() {
        if !core.submit(.flush(self), onlyWhileAccepting: false) {
            lock.withLock { flushScheduled = false }
        }
    }

    // MARK: Closing

    /// Starts the close handshake with `code` and `reason` (at most 123 UTF-8 bytes are sent).
    /// Messages still queued are discarded; wait for the queue first to flush them.
    public func close(code: WebSocketCloseCode = .normal, reason: String = "") {
        let (mustSchedule, waiters) = lock.withLock {
            () -> (Bool, [CheckedContinuation<Void, Never>]) in
            guard phase == .open || phase == .connecting else { return (false, []) }
            phase = .closing
            closeRequest = (code, reason)
            queue.removeAll()
            return (takeFlushSlot(), drainWaiters.takeAll())
        }
        waiters.forEach { $0.resume() }
        if mustSchedule { scheduleFlush() }
    }

    /// Cuts the TCP connection without a close handshake, as a network failure would.
    public func abort() {
        let proceed = lock.withLock { () -> Bool in
            guard phase == .open || phase == .connecting || phase == .closing else { return false }
            phase = .closing
            queue.removeAll()
            return true
        }
        if proceed { core.submit(.abort(self), onlyWhileAccepting: false) }
    }

    // MARK: Service thread side

    func setOpenWaiter(_ waiter: CheckedContinuation<Result<Void, TransportError>, Never>) {
        lock.withLock { openWaiter = waiter }
    }

    /// The handshake completed: the stream starts and `connect` returns.
    func markOpen() {
        let waiter = lock.withLock { () -> CheckedContinuation<Result<Void, TransportError>, Never>? in
            if phase == .connecting { phase = .open }
            defer { openWaiter = nil }
            return openWaiter
        }
        eventSink.yield(.opened)
        waiter?.resume(returning: .success(()))
    }

    /// The `.flush` command arrived: from now on a new send must schedule another one. True when
    /// a close is waiting for its writeable callback.
    func flushCommandReceived() -> Bool {
        lock.withLock {
            flushScheduled = false
            return closeRequest != nil
        }
    }

    enum WriteStep {
        case idle
        case close(WebSocketCloseCode, String)
        case frame(SendQueue.Step)
    }

    func nextWriteStep() -> WriteStep {
        let (step, ready) = lock.withLock { () -> (WriteStep, [CheckedContinuation<Void, Never>]) in
            if let request = closeRequest {
                closeRequest = nil
                return (.close(request.code, request.reason), [])
            }
            guard let step = queue.nextStep() else { return (.idle, []) }
            return (.frame(step), drainWaiters.take(atLeast: queue.status.bytes))
        }
        ready.forEach { $0.resume() }
        return step
    }

    func deliver(_ event: WebSocketEvent) { eventSink.yield(event) }

    /// The connection is over: report how, end the stream, release every waiter.
    func finish(_ closure: WebSocketClosure, connectError: TransportError? = nil) {
        let (waiters, opener) = lock.withLock {
            () -> ([CheckedContinuation<Void, Never>], CheckedContinuation<Result<Void, TransportError>, Never>?) in
            phase = .closed
            queue.removeAll()
            closeRequest = nil
            defer { openWaiter = nil }
            return (drainWaiters.takeAll(), openWaiter)
        }
        waiters.forEach { $0.resume() }
        if let opener {
            opener.resume(returning: .failure(connectError ?? .connectFailed(endpoint: endpoint, reason: closure.description)))
        } else {
            eventSink.yield(.closed(closure))
        }
        eventSink.finish()
    }
}

/// Frames the normal API never sends; for tests of how a peer copes.
public enum WebSocketRawFrames: Sendable {
    /// One text message split into one frame per part (continuation frames).
    case fragmentedText([String])
    /// One binary frame.
    case binary([UInt8])
    /// A ping with up to 125 bytes of payload; the peer's pong arrives as `.pong`.
    case ping([UInt8])
}
