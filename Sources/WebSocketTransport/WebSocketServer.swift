/// A listening endpoint started by `WebSocketEventLoop.startServer`.
public struct WebSocketServer: Sendable {
    /// The server's own loop (see `startServer`).
    let loop: LoopCore
    let owner: LoopCore
    /// The bound address.
    public let host: String
    /// The bound port (the OS's choice when the configuration asked for 0).
    public let port: Int
    /// Each accepted WebSocket, already open. Ends when the server stops.
    public let connections: AsyncStream<WebSocketConnection>

    /// Closes its connections with 1001, waits up to `gracePeriod` for their close handshakes,
    /// and stops listening: the port is free again when this returns.
    public func stop(gracePeriod: Duration = .seconds(2)) async {
        owner.release(loop)
        await WebSocketEventLoop.stop(loop, grace: gracePeriod)
    }
}
