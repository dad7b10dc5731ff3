/// What the connection state machine asks the shell to do, in order.
public enum ConnectionAction: Sendable, Equatable {
    /// Fetch a device token; the next attempt waits for it. Answer with `tokenFetched`,
    /// `tokenRefused` or `tokenFailed`.
    case fetchToken
    /// Fetch a fresh token in the background; the link stays up. Answer the same way.
    case refreshToken
    case openSocket(SocketRequest)
    /// A non-outbox frame: stamp it with a fresh id and the wall clock (`OutboundFrame.encoded`)
    /// and send it at high priority.
    case send(OutboundFrame)
    /// Send `OutboundFrame.heartbeat` with the store's last seq and pending count, high priority.
    case sendHeartbeat
    /// The session is live: start the replay window (`ReplayWindow.start`) with these values.
    case startReplay(ReplayStart)
    /// The session is over: stop the replay window and send no more outbox messages on this socket.
    case stopReplay
    /// A frame for the replay window (`ack`) or a handler (requests, cancels, messaging events,
    /// capability reloads). Only ever emitted while live.
    case deliver(InboundFrame)
    /// A frame that was decoded but has no business here; log it.
    case ignoreFrame(type: String, reason: String)
    /// Close the socket; then report `socketClosed`.
    case closeSocket(code: CloseCode, reason: String)
    /// The socket did not close within `closeDeadline`: cut it and forget it. The machine has
    /// already moved on; nothing more about that socket is to be reported.
    case abandonSocket
    /// The next attempt starts at `nextDeadline`, `after` from now; for logs.
    case scheduleReconnect(after: Duration)
    /// The link's status changed; persist it for `cloud-connector status`.
    case reportStatus(LinkStatus)
}

/// The values `ReplayWindow.start` needs from `connect_ack`.
public struct ReplayStart: Sendable, Equatable {
    public var sessionID: String
    public var ackedSeq: Int64
    public var maxInflight: Int
    public var heartbeatInterval: Duration

    public init(sessionID: String, ackedSeq: Int64, maxInflight: Int, heartbeatInterval: Duration) {
        self.sessionID = sessionID
        self.ackedSeq = ackedSeq
        self.maxInflight = maxInflight
        self.heartbeatInterval = heartbeatInterval
    }
}

/// The WebSocket upgrade's identity headers (PROTOCOL §3.2). The token is only reachable through
/// `headers`; every text form of the request hides it.
public struct SocketRequest: Sendable, Equatable, CustomStringConvertible {
    public let deviceID: String
    public let tenantID: String
    public let token: DeviceToken

    public init(deviceID: String, tenantID: String, token: DeviceToken) {
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.token = token
    }

    public var headers: [(name: String, value: String)] {
        [("Authorization", "Bearer " + token.revealed), ("X-Device-Id", deviceID), ("X-Tenant-Id", tenantID)]
    }

    public var description: String {
        "Authorization: Bearer \(token), X-Device-Id: \(deviceID), X-Tenant-Id: \(tenantID)"
    }
}
