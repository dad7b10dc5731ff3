/// What `cloud-connector status` and the local API show about the link. Every text in it is free
/// of secrets: the state machine builds the texts and cleans what peers sent.
public struct LinkStatus: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case idle
        case fetchingToken = "fetching_token"
        case connecting
        case awaitingConnectAck = "awaiting_connect_ack"
        case live
        case closing
        case backingOff = "backing_off"
        case stopped
    }

    public var state: State
    /// The cloud's session id while live.
    public var sessionID: String?
    /// The most recent problem, kept after the link recovers so operators can see what happened.
    public var lastError: String?
    /// Sockets asked for since start.
    public var connectAttempts: Int
    /// `connect_ack`s accepted since start.
    public var sessions: Int
    /// 401/403 answers from the token endpoint since start.
    public var tokenRefusals: Int
    /// While backing off: the delay that was chosen.
    public var retryIn: Duration?

    public init(
        state: State = .idle, sessionID: String? = nil, lastError: String? = nil, connectAttempts: Int = 0,
        sessions: Int = 0, tokenRefusals: Int = 0, retryIn: Duration? = nil
    ) {
        self.state = state
        self.sessionID = sessionID
        self.lastError = lastError
        self.connectAttempts = connectAttempts
        self.sessions = sessions
        self.tokenRefusals = tokenRefusals
        self.retryIn = retryIn
    }

    /// Connection attempts after the first one.
    public var reconnects: Int { max(connectAttempts - 1, 0) }
}
