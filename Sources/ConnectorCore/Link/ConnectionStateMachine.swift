/// The link's lifecycle (PROTOCOL §3, §6) as a value: events in, actions out, no I/O, no clock.
///
/// idle → fetchingToken → connecting → awaitingConnectAck → live → closing → backingOff → …, with
/// `stopped` after `shutdown`. It owns the reconnect and refusal `Backoff`s and the
/// `HeartbeatMonitor`; the replay window is the shell's, started and stopped by actions.
///
/// The shell's whole job: perform the actions of every `handle` in order, then arm one timer at
/// `nextDeadline` (replacing the previous one) that delivers `.tick`.
public struct ConnectionStateMachine: Sendable {
    enum State: Sendable, Equatable {
        case idle
        case fetchingToken
        case connecting(deadline: MonotonicInstant)
        case awaitingConnectAck(deadline: MonotonicInstant)
        case live(since: MonotonicInstant, sessionID: String)
        case closing
        case backingOff(until: MonotonicInstant)
        case stopped
    }

    public let configuration: ConnectionConfiguration
    var state = State.idle
    public internal(set) var reconnectBackoff: Backoff
    public internal(set) var refusalBackoff: Backoff
    public internal(set) var heartbeat = HeartbeatMonitor()
    var jitter: JitterSource

    var token: DeviceToken?
    /// A new attempt does not start with the token past this instant.
    var tokenUsableUntil: MonotonicInstant?
    /// While live, a background refresh is due at this instant.
    var tokenRefreshAt: MonotonicInstant?
    var tokenRequestOutstanding = false

    /// Why the current socket is being (or was) closed, decided before the close completes.
    var closeCause: CloseCause?
    /// While closing: when the socket is given up on if it has not reported its close.
    var closingDeadline: MonotonicInstant?
    /// When the current socket went live; for the backoff reset.
    var liveSince: MonotonicInstant?
    var invalidFrameStreak = 0

    var status = LinkStatus()
    var reportedStatus = LinkStatus()

    /// `jitterSeed` seeds the backoff jitter; the shell passes a random value, tests a constant.
    public init(configuration: ConnectionConfiguration, jitterSeed: UInt64) {
        self.configuration = configuration
        reconnectBackoff = Backoff(policy: configuration.reconnectBackoff)
        refusalBackoff = Backoff(policy: configuration.refusalBackoff)
        jitter = JitterSource(seed: jitterSeed)
    }

    public var linkStatus: LinkStatus { status }

    public mutating func handle(_ event: ConnectionEvent, at now: MonotonicInstant) -> [ConnectionAction] {
        var actions: [ConnectionAction]
        switch event {
        case .start: actions = start(now)
        case .tokenFetched(let token, let expiresIn): actions = tokenFetched(token, expiresIn: expiresIn, now)
        case .tokenRefused(let status): actions = tokenRefused(status: status, now)
        case .tokenFailed(let reason): actions = tokenFailed(reason: reason, now)
        case .socketOpened(let lastSeq): actions = socketOpened(lastSeq: lastSeq)
        case .frame(let frame): actions = received(frame, now)
        case .invalidFrame(let error): actions = receivedInvalid(error, now)
        case .socketClosed(let code, let reason): actions = socketClosed(code: code, reason: reason, now)
        case .tick: actions = tick(now)
        case .shutdown: actions = shutdown()
        }
        if state == .closing {
            if closingDeadline == nil { closingDeadline = now + configuration.closeDeadline }
        } else {
            closingDeadline = nil
        }
        syncStatus()
        if status != reportedStatus {
            reportedStatus = status
            actions.append(.reportStatus(status))
        }
        return actions
    }

    /// When the shell must deliver the next `.tick`; nil when only an event can move things on.
    public var nextDeadline: MonotonicInstant? {
        switch state {
        case .backingOff(let until): return until
        case .connecting(let deadline), .awaitingConnectAck(let deadline): return deadline
        case .live:
            let refresh = tokenRequestOutstanding ? nil : tokenRefreshAt
            switch (heartbeat.nextDeadline, refresh) {
            case (let beat?, let refresh?): return min(beat, refresh)
            case (let beat, let refresh): return beat ?? refresh
            }
        case .closing:
            return closingDeadline
        case .idle, .fetchingToken, .stopped:
            return nil
        }
    }

    private mutating func start(_ now: MonotonicInstant) -> [ConnectionAction] {
        guard state == .idle else { return [] }
        return beginAttempt(now)
    }

    private mutating func tick(_ now: MonotonicInstant) -> [ConnectionAction] {
        switch state {
        case .backingOff(let until) where now >= until:
            return beginAttempt(now)
        case .connecting(let deadline) where now >= deadline:
            return close(
                .handshakeTimeout, code: .timeout,
                error: "the WebSocket did not open within \(SafeText.seconds(configuration.handshakeTimeout))")
        case .awaitingConnectAck(let deadline) where now >= deadline:
            return close(
                .handshakeTimeout, code: .timeout,
                error: "no connect_ack within \(SafeText.seconds(configuration.handshakeTimeout)) of connecting")
        case .closing where closingDeadline.map { now >= $0 } ?? false:
            // A close that never completes must not hold the link forever: a reconnect (or the
            // stop) matters more than what the transport still does with that socket.
            let limit = SafeText.seconds(configuration.closeDeadline)
            return [.abandonSocket] + socketClosed(code: nil, reason: "the socket did not close within \(limit)", now)
        case .live:
            var actions: [ConnectionAction] = []
            switch heartbeat.tick(now: now) {
            case .none: break
            case .sendHeartbeat: actions.append(.sendHeartbeat)
            case .closeStale(let silentFor):
                return close(
                    .stale, code: .timeout,
                    error: "no frame from the cloud for \(SafeText.seconds(silentFor)) "
                        + "(\(HeartbeatMonitor.staleAfterIntervals) heartbeat intervals)")
            }
            if let refreshAt = tokenRefreshAt, now >= refreshAt, !tokenRequestOutstanding {
                tokenRequestOutstanding = true
                actions.append(.refreshToken)
            }
            return actions
        default:
            return []
        }
    }

    private mutating func shutdown() -> [ConnectionAction] {
        switch state {
        case .connecting, .awaitingConnectAck, .live:
            return close(.shutdown, code: .goingAway, error: nil)
        case .closing:
            closeCause = .shutdown
            return []
        case .idle, .fetchingToken, .backingOff:
            state = .stopped
            return []
        case .stopped:
            return []
        }
    }

    /// Mirrors `state` into the public status.
    private mutating func syncStatus() {
        status.sessionID = nil
        if case .backingOff = state {} else { status.retryIn = nil }
        switch state {
        case .idle: status.state = .idle
        case .fetchingToken: status.state = .fetchingToken
        case .connecting: status.state = .connecting
        case .awaitingConnectAck: status.state = .awaitingConnectAck
        case .live(_, let sessionID):
            status.state = .live
            status.sessionID = sessionID
        case .closing: status.state = .closing
        case .backingOff: status.state = .backingOff
        case .stopped: status.state = .stopped
        }
    }

    /// Texts from outside lose any copy of the token before they are kept.
    func clean(_ text: String) -> String {
        SafeText.clean(text, hiding: token.map { [$0.revealed] } ?? [])
    }
}
