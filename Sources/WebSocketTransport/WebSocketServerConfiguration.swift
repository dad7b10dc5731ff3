/// Whether a WebSocket upgrade may proceed.
public enum WebSocketUpgradeDecision: Sendable, Equatable {
    case accept
    /// Answer with this HTTP status (e.g. 401, 403) instead of upgrading.
    case reject(status: Int)
}

/// A listening endpoint that serves WebSocket upgrades on one path and plain HTTP on the rest.
public struct WebSocketServerConfiguration: Sendable {
    /// The address to bind, default loopback only.
    public var host: String
    /// 0 asks the OS for a free port; read it back from `WebSocketServer.port`.
    public var port: Int
    /// Upgrades are accepted only on this path; nil serves HTTP only.
    public var webSocketPath: String?
    /// Certificate and key turn this into a `wss://` / `https://` server.
    public var tls: TLSConfiguration?
    public var maxMessageBytes: Int
    public var sendQueueLimits: SendQueueLimits
    /// Bigger request bodies get 413.
    public var maxRequestBodyBytes: Int
    /// Non-standard request headers to capture (standard ones such as `Authorization` always are).
    public var extraHeaderNames: [String]
    /// Runs on the event loop thread before an upgrade; must be quick and must not block.
    public var upgradeFilter: (@Sendable (HTTPRequestHead) -> WebSocketUpgradeDecision)?
    /// Answers plain HTTP requests; without it every request gets 404.
    public var httpHandler: (@Sendable (HTTPServerRequest) async -> HTTPServerResponse)?

    public init(
        host: String = "127.0.0.1", port: Int = 0, webSocketPath: String? = "/",
        tls: TLSConfiguration? = nil, maxMessageBytes: Int = 1 << 20,
        sendQueueLimits: SendQueueLimits = SendQueueLimits(), maxRequestBodyBytes: Int = 1 << 20,
        extraHeaderNames: [String] = ["X-Device-Id", "X-Tenant-Id"],
        upgradeFilter: (@Sendable (HTTPRequestHead) -> WebSocketUpgradeDecision)? = nil,
        httpHandler: (@Sendable (HTTPServerRequest) async -> HTTPServerResponse)? = nil
    ) {
        self.host = host
        self.port = port
        self.webSocketPath = webSocketPath
        self.tls = tls
        self.maxMessageBytes = maxMessageBytes
        self.sendQueueLimits = sendQueueLimits
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.extraHeaderNames = extraHeaderNames
        self.upgradeFilter = upgradeFilter
        self.httpHandler = httpHandler
    }
}
