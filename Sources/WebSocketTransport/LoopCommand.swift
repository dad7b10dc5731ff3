/// Work other threads hand to the service thread.
enum LoopCommand: Sendable {
    case connect(WebSocketConnection)
    /// Something was queued or a close requested: ask lws for a writeable callback.
    case flush(WebSocketConnection)
    case abort(WebSocketConnection)
    case cancelConnect(WebSocketConnection)
    case httpRequest(HTTPClientCall)
    /// A streamed response's reader went away: kill its connection.
    case cancelHTTPStream(HTTPStreamChannel)
    /// A streamed response's reader caught up: read its socket again.
    case resumeHTTPStream(HTTPStreamChannel)
    case httpResponse(exchangeID: Int, HTTPServerResponse)
    case startServer(ServerStart)
    case shutdown(grace: Duration)

    /// Commands that create or destroy vhosts or end the loop: lws must not be inside a callback
    /// (it walks its vhost list while broadcasting), so they run between `lws_service` calls.
    var needsQuiescentLoop: Bool {
        switch self {
        case .startServer, .shutdown: true
        default: false
        }
    }
}

/// An HTTP client request on its way to the service thread.
struct HTTPClientCall: Sendable {
    var endpoint: Endpoint
    var request: HTTPClientRequest
    var delivery: HTTPResponseDelivery
}

/// A server to start, and who waits for its bound port.
struct ServerStart: Sendable {
    var configuration: WebSocketServerConfiguration
    var connections: AsyncStream<WebSocketConnection>.Continuation
    var completion: CheckedContinuation<Result<ServerStarted, TransportError>, Never>
}

struct ServerStarted: Sendable {
    var id: Int
    var port: Int
}
