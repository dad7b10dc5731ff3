public import CloudConnector
public import WebSocketTransport

/// Where the cloud under test is and how the kit plays a device against it.
public struct ConformanceConfiguration: Sendable {
    /// The cloud's WebSocket URL and its HTTP base (`{api}`), derived as PROTOCOL §3.1 says when not given.
    public var endpoint: CloudEndpoint
    /// Sent as `Authorization: Bearer` to `GET {api}/device-token` (and the counts endpoint); never printed.
    public var apiKey: APIKey?
    public var tenantID: String
    /// Each check plays a device of its own, `<prefix><random UUID>`, so a rerun against a real cloud
    /// never meets what an earlier run left there.
    public var deviceIDPrefix: String
    public var tls: TLSConfiguration
    /// How long the kit waits for each answer it expects (a token, the upgrade, `connect_ack`, an
    /// ack, a `heartbeat_ack`, a close). A check that waits for something that never comes fails
    /// after this long.
    public var timeout: Duration

    public init(
        endpoint: CloudEndpoint, apiKey: APIKey? = nil, tenantID: String, deviceIDPrefix: String = "conformance-",
        tls: TLSConfiguration = TLSConfiguration(), timeout: Duration = .seconds(5)
    ) {
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.tenantID = tenantID
        self.deviceIDPrefix = deviceIDPrefix
        self.tls = tls
        self.timeout = timeout
    }
}
