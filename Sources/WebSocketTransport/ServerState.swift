/// A listening vhost and its connections; service thread only.
final class ServerState {
    let id: Int
    let configuration: WebSocketServerConfiguration
    let sink: AsyncStream<WebSocketConnection>.Continuation
    /// For logs and `WebSocketConnection.endpoint`; carries the bound port once listening.
    var endpoint: String
    var vhost: OpaquePointer?
    /// Its loop is shutting down: no new connections.
    var stopping = false
    let cStrings = CStrings()

    init(id: Int, configuration: WebSocketServerConfiguration, sink: AsyncStream<WebSocketConnection>.Continuation) {
        self.id = id
        self.configuration = configuration
        self.sink = sink
        self.endpoint = Self.endpoint(configuration, port: configuration.port)
    }

    static func endpoint(_ configuration: WebSocketServerConfiguration, port: Int) -> String {
        let scheme = configuration.tls == nil ? "ws" : "wss"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(scheme)://\(host):\(port)"
    }
}

/// An accepted upgrade whose headers were read before lws switched the socket to WebSocket.
final class PendingUpgrade {
    let head: HTTPRequestHead
    init(head: HTTPRequestHead) { self.head = head }
}

/// One HTTP request on a server socket, from its headers to the last byte of the response.
final class HTTPServerExchange {
    let id: Int
    let server: ServerState
    let head: HTTPRequestHead
    var body: [UInt8] = []
    var wsi: OpaquePointer?
    var response: HTTPServerResponse?
    var headersSent = false

    init(id: Int, server: ServerState, head: HTTPRequestHead, wsi: OpaquePointer) {
        self.id = id
        self.server = server
        self.head = head
        self.wsi = wsi
    }
}
