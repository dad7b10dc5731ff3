/// What the shell reports to the connection state machine, each with the monotonic time it
/// happened (`handle(_:at:)`).
public enum ConnectionEvent: Sendable, Equatable {
    case start
    /// `GET /device-token` answered 200. `expiresIn` is `expires_in`, nil when absent.
    case tokenFetched(DeviceToken, expiresIn: Duration?)
    /// 401 or 403 from the token endpoint: the device is not allowed (PROTOCOL §3.1).
    case tokenRefused(status: Int)
    /// Anything else that kept a token from arriving (network, 5xx, unreadable body). `reason`
    /// must not contain credentials; the token is hidden from it anyway.
    case tokenFailed(reason: String)
    /// The WebSocket handshake completed. `lastSeq` is the store's highest assigned seq, for
    /// `connect.resume.last_seq`.
    case socketOpened(lastSeq: Int64)
    case frame(InboundFrame)
    /// A frame that failed to decode (R15). It still proves the peer alive.
    case invalidFrame(FrameDecodeError)
    /// The socket is gone, by either side or by failure; `code` is nil when no close frame came.
    /// Also deliver this after `closeSocket` once the transport has let go of the socket.
    case socketClosed(code: UInt16?, reason: String)
    /// The timer armed at `nextDeadline` fired (early or late ticks are harmless).
    case tick
    /// Stop for good: the link closes with 1001 and does not come back.
    case shutdown
}
