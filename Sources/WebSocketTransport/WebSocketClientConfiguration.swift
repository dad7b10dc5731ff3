/// How to open a client WebSocket.
public struct WebSocketClientConfiguration: Sendable {
    /// `ws://` or `wss://` URL with host, optional port, path and query.
    public var url: String
    /// Extra headers on the upgrade request, e.g. `Authorization`. Values are never logged.
    public var headers: HTTPHeaders
    public var tls: TLSConfiguration
    /// From the start of the attempt until the upgrade completed.
    public var connectTimeout: Duration
    /// Bigger incoming messages are reported as `.oversized` and dropped.
    public var maxMessageBytes: Int
    public var sendQueueLimits: SendQueueLimits

    public init(
        url: String, headers: HTTPHeaders = [:], tls: TLSConfiguration = TLSConfiguration(),
        connectTimeout: Duration = .seconds(10), maxMessageBytes: Int = 1 << 20,
        sendQueueLimits: SendQueueLimits = SendQueueLimits()
    ) {
        self.url = url
        self.headers = headers
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.maxMessageBytes = maxMessageBytes
        self.sendQueueLimits = sendQueueLimits
    }
}
