/// Who the device is and how patient the link is. Everything has a default except identity.
public struct ConnectionConfiguration: Sendable, Equatable {
    public var deviceID: String
    public var tenantID: String
    public var agent: AgentInfo
    /// After network failures, stale links and peer closes (R10).
    public var reconnectBackoff: BackoffPolicy
    /// After refusals an operator must fix: see `BackoffPolicy.refused`.
    public var refusalBackoff: BackoffPolicy
    /// From asking for the socket to receiving `connect_ack`; past it the attempt is closed (4408).
    public var handshakeTimeout: Duration
    /// A token is refreshed this long before it expires (at most a fifth of its lifetime), so a
    /// reconnect never starts with a token about to lapse.
    public var tokenRefreshMargin: Duration
    /// The shortest time between background refreshes, and the pause after a failed one.
    public var tokenRetryInterval: Duration
    /// This many malformed frames in a row close the link with 4400 (PROTOCOL §1).
    public var maxConsecutiveInvalidFrames: Int
    /// The longest a socket may take to close once asked; past it the socket is abandoned and the
    /// link moves on (a reconnect, or the stop), whatever the transport still does with it.
    public var closeDeadline: Duration

    public init(
        deviceID: String, tenantID: String, agent: AgentInfo,
        reconnectBackoff: BackoffPolicy = .reconnect, refusalBackoff: BackoffPolicy = .refused,
        handshakeTimeout: Duration = .seconds(30), tokenRefreshMargin: Duration = .seconds(60),
        tokenRetryInterval: Duration = .seconds(30), maxConsecutiveInvalidFrames: Int = 100,
        closeDeadline: Duration = .seconds(10)
    ) {
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.agent = agent
        self.reconnectBackoff = reconnectBackoff
        self.refusalBackoff = refusalBackoff
        self.handshakeTimeout = handshakeTimeout
        self.tokenRefreshMargin = tokenRefreshMargin
        self.tokenRetryInterval = tokenRetryInterval
        self.maxConsecutiveInvalidFrames = max(maxConsecutiveInvalidFrames, 1)
        self.closeDeadline = closeDeadline
    }
}
