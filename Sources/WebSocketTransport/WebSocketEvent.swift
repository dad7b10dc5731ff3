/// What happened on a connection, in order. The stream ends after `.closed`.
public enum WebSocketEvent: Sendable, Equatable {
    /// The handshake completed; always the first event.
    case opened
    /// A complete text message, reassembled from its fragments.
    case text(String)
    /// A complete binary message. Only its size is kept: the wire protocol has no binary frames.
    case binary(byteCount: Int)
    /// A message larger than the connection's `maxMessageBytes`; its content was dropped as it
    /// arrived and the connection stays usable.
    case oversized(byteCount: Int, isBinary: Bool)
    /// The peer answered one of our pings.
    case pong
    /// The connection is over; no more events follow.
    case closed(WebSocketClosure)
}

/// How a connection ended.
public enum WebSocketClosure: Sendable, Equatable, CustomStringConvertible {
    /// The peer sent a close frame with this code and reason.
    case byPeer(code: WebSocketCloseCode, reason: String)
    /// This side closed with this code and reason.
    case byUs(code: WebSocketCloseCode, reason: String)
    /// The connection ended without a close handshake (dropped, aborted, loop shut down).
    case failed(reason: String)

    /// The close code, when a close frame was exchanged.
    public var code: WebSocketCloseCode? {
        switch self {
        case .byPeer(let code, _), .byUs(let code, _): code
        case .failed: nil
        }
    }

    public var description: String {
        switch self {
        case .byPeer(let code, let reason): "closed by peer (\(code) \(reason))"
        case .byUs(let code, let reason): "closed by us (\(code) \(reason))"
        case .failed(let reason): "connection failed: \(reason)"
        }
    }
}
