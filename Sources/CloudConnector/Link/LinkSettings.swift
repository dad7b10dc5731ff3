public import ConnectorCore
public import OutboxStore
public import WebSocketTransport

/// How the link service runs. Built by `cloud-connector run` from the configuration; tests shorten
/// the timings.
public struct LinkSettings: Sendable {
    public var deviceID: String
    public var tenantID: String
    public var webSocketURL: String
    public var displayWebSocketURL: String
    public var apiURL: String
    public var displayAPIURL: String
    public var apiKey: APIKey?
    public var tls: TLSConfiguration
    public var agent: AgentInfo
    public var connection: ConnectionConfiguration
    public var replay: ReplayWindow<StoredMessage>.Configuration
    /// On shutdown: how long in-flight sends may take to be written and acked before the link closes
    /// with 1001 anyway.
    public var shutdownGrace: Duration
    /// How long a close handshake may take before the TCP connection is cut.
    public var closeTimeout: Duration
    /// Counters in `link_status` are written at most this often (state changes are written at once).
    public var statusFlushInterval: Duration
    /// Outbox frames queued in the socket beyond this many bytes pause the replay until the socket
    /// drains to half of it: the window bounds messages, this bounds memory.
    public var sendQueueHighWater: Int
    /// The outbox watcher's safety poll, in case an inotify event is missed (appends are normally seen
    /// within milliseconds through the watch).
    public var storeSafetyPoll: Duration = .seconds(2)
    /// Seeds the reconnect jitter; random by default.
    public var jitterSeed: UInt64
    @_spi(Faults) public var faults: LinkFaults = []

    public init(
        deviceID: String, tenantID: String, webSocketURL: String, displayWebSocketURL: String? = nil,
        apiURL: String, displayAPIURL: String? = nil, apiKey: APIKey? = nil, tls: TLSConfiguration = TLSConfiguration(),
        agent: AgentInfo = AgentInfo(name: "cloud-connector", version: ConnectorVersion.current),
        connection: ConnectionConfiguration? = nil,
        replay: ReplayWindow<StoredMessage>.Configuration = .init(),
        shutdownGrace: Duration = .seconds(5), closeTimeout: Duration = .seconds(3),
        statusFlushInterval: Duration = .seconds(1), sendQueueHighWater: Int = 4 << 20,
        jitterSeed: UInt64 = UInt64.random(in: .min ... .max)
    ) {
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.webSocketURL = webSocketURL
        self.displayWebSocketURL = displayWebSocketURL ?? webSocketURL
        self.apiURL = apiURL
        self.displayAPIURL = displayAPIURL ?? apiURL
        self.apiKey = apiKey
        self.tls = tls
        self.agent = agent
        self.connection = connection ?? ConnectionConfiguration(deviceID: deviceID, tenantID: tenantID, agent: agent)
        self.replay = replay
        self.shutdownGrace = shutdownGrace
        self.closeTimeout = closeTimeout
        self.statusFlushInterval = statusFlushInterval
        self.sendQueueHighWater = sendQueueHighWater
        self.jitterSeed = jitterSeed
    }
}
