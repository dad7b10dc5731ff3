public import WebSocketTransport

/// How a reference cloud listens and what it announces. Defaults suit tests: loopback, a free port.
public struct ReferenceCloudConfiguration: Sendable {
    /// Address to bind; loopback unless a demo needs more.
    public var host: String
    /// 0 asks the OS for a free port; read it back from `ReferenceCloud.port` after `start()`.
    public var port: Int
    /// Holds `cloud.sqlite`; a restart on the same directory keeps every stored message and acked_seq.
    public var dataDirectory: String
    /// API keys accepted by `GET /device-token`; empty accepts any caller (no key needed).
    public var apiKeys: Set<String>
    /// How long an issued device token stays valid.
    public var tokenLifetime: Duration
    /// Announced in `connect_ack`.
    public var heartbeatIntervalMS: Int
    /// Announced in `connect_ack`.
    public var maxInflight: Int
    /// The path that serves WebSocket upgrades; every other path is plain HTTP.
    public var webSocketPath: String
    /// Tenant policy: tenants allowed to fetch tokens (empty = any tenant).
    public var allowedTenants: Set<String>
    /// Tenant policy: devices bound to one tenant. A `connect` naming another tenant gets
    /// `tenant_mismatch` (4403), so a device can tell "wrong tenant" from "bad token".
    public var deviceTenants: [String: String]
    /// Fault modes in force from the start; change them later with `ReferenceCloud.setFaults`.
    public var faults: CloudFaults
    /// Serve wss:// and https:// with this certificate and key (`certificateFile`, `privateKeyFile`);
    /// nil serves ws:// and http://.
    public var tls: TLSConfiguration?

    public init(
        host: String = "127.0.0.1", port: Int = 0, dataDirectory: String, apiKeys: Set<String> = [],
        tokenLifetime: Duration = .seconds(3600), heartbeatIntervalMS: Int = 15_000, maxInflight: Int = 1000,
        webSocketPath: String = "/ws", allowedTenants: Set<String> = [], deviceTenants: [String: String] = [:],
        faults: CloudFaults = CloudFaults(), tls: TLSConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.apiKeys = apiKeys
        self.tokenLifetime = tokenLifetime
        self.heartbeatIntervalMS = heartbeatIntervalMS
        self.maxInflight = maxInflight
        self.webSocketPath = webSocketPath
        self.allowedTenants = allowedTenants
        self.deviceTenants = deviceTenants
        self.faults = faults
        self.tls = tls
    }
}
