/// Where and how the local API listens.
public struct LocalAPIConfiguration: Sendable {
    /// The port used when the configuration file names none (the same default as `local_api.port`).
    public static let defaultPort = 7410

    /// Loopback by default: the API is for processes on this device. Binding another address exposes
    /// the token-guarded writes and the unguarded /healthz and /metrics to the network.
    public var host: String
    /// 0 asks the OS for a free port; `LocalAPIServer.port` tells which.
    public var port: Int
    /// Bigger request bodies get 413 and are never parsed. PROTOCOL R3 bounds a whole message at
    /// 1 MiB, so a bigger payload could never be appended anyway.
    public var maxRequestBodyBytes: Int
    /// Sent as `Retry-After` with 503 when the outbox is full: acks free space only as fast as the
    /// cloud link recovers, so an immediate retry would only be refused again.
    public var outboxFullRetryAfterSeconds: Int
    /// On graceful shutdown, how long requests already being handled may take to get their answers
    /// before the listener stops.
    public var shutdownGrace: Duration

    public init(
        host: String = "127.0.0.1", port: Int = LocalAPIConfiguration.defaultPort, maxRequestBodyBytes: Int = 1 << 20,
        outboxFullRetryAfterSeconds: Int = 30, shutdownGrace: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.outboxFullRetryAfterSeconds = outboxFullRetryAfterSeconds
        self.shutdownGrace = shutdownGrace
    }
}
