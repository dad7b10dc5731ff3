/// Why a transport operation failed. Messages name the operation and the real cause (for TLS and
/// socket failures, the reason libwebsockets reported); they never contain header values.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be used: the text explains what is wrong with it.
    case invalidURL(String)
    /// A header name or value contains characters that would break the request.
    case invalidHeader(name: String)
    /// The TCP, TLS or upgrade step failed, e.g. "connection refused" or a certificate error.
    case connectFailed(endpoint: String, reason: String)
    /// The server answered the WebSocket upgrade with this HTTP status instead of 101 (e.g. 401 for a
    /// rejected token): typed, because a client reacts to a refusal differently than to a network fault.
    case upgradeRefused(endpoint: String, status: Int)
    /// The operation did not finish in time.
    case timedOut(operation: String, after: Duration)
    /// A TLS file is missing or unusable.
    case tlsConfiguration(String)
    /// A server could not listen, e.g. the port is taken.
    case listenFailed(endpoint: String, reason: String)
    /// An HTTP response was bigger than the configured limit.
    case responseTooLarge(limit: Int)
    /// The request failed after the connection was made.
    case requestFailed(endpoint: String, reason: String)
    /// The event loop is shutting down or was never started.
    case loopStopped
    /// The event loop could not be created.
    case loopStartFailed(String)
    /// The waiting task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .invalidURL(let why): "invalid URL: \(why)"
        case .invalidHeader(let name): "invalid HTTP header \(name)"
        case .connectFailed(let endpoint, let reason): "connecting to \(endpoint) failed: \(reason)"
        case .upgradeRefused(let endpoint, let status): "\(endpoint) refused the WebSocket upgrade (HTTP \(status))"
        case .timedOut(let operation, let after): "\(operation) timed out after \(after)"
        case .tlsConfiguration(let why): "TLS configuration: \(why)"
        case .listenFailed(let endpoint, let reason): "listening on \(endpoint) failed: \(reason)"
        case .responseTooLarge(let limit): "HTTP response larger than \(limit) bytes"
        case .requestFailed(let endpoint, let reason): "HTTP request to \(endpoint) failed: \(reason)"
        case .loopStopped: "the WebSocket event loop is stopped"
        case .loopStartFailed(let why): "the WebSocket event loop could not start: \(why)"
        case .cancelled: "cancelled"
        }
    }
}

/// Why `WebSocketConnection.send` refused a message.
public enum WebSocketSendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection is closing or closed; nothing more can be queued.
    case closed
    /// Queuing the message would exceed the connection's `SendQueueLimits`.
    case queueFull(queuedMessages: Int, queuedBytes: Int)

    public var description: String {
        switch self {
        case .closed: "the WebSocket connection is closed"
        case .queueFull(let messages, let bytes):
            "send queue full (\(messages) messages, \(bytes) bytes queued)"
        }
    }
}
