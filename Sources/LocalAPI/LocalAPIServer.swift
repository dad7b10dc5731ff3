public import Logging
public import OutboxStore
public import ServiceLifecycle
import Synchronization
import WebSocketTransport

/// The local API for Local-Core on this device (issue 4, "Local API"), on a libwebsockets HTTP
/// server of its own:
///
///   POST /v1/events    an execution_event payload   201 {"seq","id","type"} once durable; 200 with
///   POST /v1/usage     a usage_report payload       "duplicate": true for a retry; 400 invalid;
///   POST /v1/replies   a messaging_reply payload    409 same id, other content; 413; 503 full
///   GET  /v1/status    device, tenant, link state, delivery progress
///   GET  /healthz      200 "ok", no token (process supervisors)
///   GET  /metrics      Prometheus text, no token
///   GET  /ws/agent     WebSocket upgrade for local agents (AgentHub, AGENT_PROTOCOL.md); token
///                      required (401 at the upgrade without it); an upgrade on any other path is 404
///
/// Writes and status need `Authorization: Bearer <token from <data>/local_token>`. A retry is
/// recognised by its event_id/report_id (the store's R2 dedupe), and for a reply, which has no id of
/// its own, by an identical payload for the same request_id (see ReplyTwin).
///
/// Starting binds at once, so a taken port fails `start` before the service group runs, and `port`
/// is known (with port 0) before anything connects. `run()` then serves until graceful shutdown:
/// new requests get 503, running ones get up to `shutdownGrace` to be answered, and the port is
/// released before `run()` returns.
public final class LocalAPIServer: Service {
    /// The bound address and port (the OS's choice when the configuration asked for 0).
    public let host: String
    public let port: Int
    /// The local agents connected on `/ws/agent`; the MessagingHandler dispatches through it.
    public let agents: AgentHub
    private let configuration: LocalAPIConfiguration
    private let loop: WebSocketEventLoop
    private let server: WebSocketServer
    private let inFlight: InFlightRequests
    private let logger: Logger
    private let stopped = Mutex(false)
    /// Serves each agent connection; ends once the server stopped and every session ended.
    private let agentSessions: Task<Void, Never>

    private init(
        configuration: LocalAPIConfiguration, loop: WebSocketEventLoop, server: WebSocketServer,
        inFlight: InFlightRequests, agents: AgentHub, agentSessions: Task<Void, Never>, logger: Logger
    ) {
        self.configuration = configuration
        self.host = server.host
        self.port = server.port
        self.loop = loop
        self.server = server
        self.inFlight = inFlight
        self.agents = agents
        self.agentSessions = agentSessions
        self.logger = logger
    }

    /// Binds and starts serving. `metrics` is the factory `/metrics` renders; the process should
    /// also `MetricsSystem.bootstrap` it so every other component's metrics appear there too.
    /// `agents` is the hub `/ws/agent` connections register with; nil makes one logging to `logger`.
    public static func start(
        configuration: LocalAPIConfiguration = LocalAPIConfiguration(), store: OutboxStore, token: LocalToken,
        metrics: PrometheusMetricsFactory, agents: AgentHub? = nil, logger: Logger
    ) async throws -> LocalAPIServer {
        let agents = agents ?? AgentHub(logger: logger)
        let reads = StoreReads(store: store)
        let apiMetrics = LocalAPIMetrics(factory: metrics)
        let inFlight = InFlightRequests()
        let router = LocalAPIRouter(
            token: token,
            appends: AppendEndpoint(
                store: store, reads: reads, metrics: apiMetrics, logger: logger,
                retryAfterFull: configuration.outboxFullRetryAfterSeconds, maxBodyBytes: configuration.maxRequestBodyBytes),
            status: StatusEndpoint(store: store, reads: reads, logger: logger),
            metricsEndpoint: MetricsEndpoint(store: store, reads: reads, factory: metrics, logger: logger),
            metrics: apiMetrics, inFlight: inFlight, logger: logger)
        let loop = try WebSocketEventLoop(name: "local-api", logger: logger)
        let server: WebSocketServer
        do {
            server = try await loop.startServer(
                WebSocketServerConfiguration(
                    host: configuration.host, port: configuration.port, webSocketPath: AgentUpgrade.path,
                    maxRequestBodyBytes: Self.transportBodyLimit(configuration.maxRequestBodyBytes), extraHeaderNames: [],
                    upgradeFilter: AgentUpgrade(token: token, logger: logger).decide,
                    httpHandler: { request in await router.handle(request) }))
        } catch {
            await loop.shutdown(gracePeriod: .zero)
            throw LocalAPIError.cannotListen(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        if configuration.host != "127.0.0.1" && configuration.host != "::1" && configuration.host != "localhost" {
            logger.warning(
                "the local API listens beyond loopback: /healthz and /metrics answer anyone who can reach it",
                metadata: ["host": "\(configuration.host)"])
        }
        logger.notice(
            "local API listening",
            metadata: ["host": "\(server.host)", "port": "\(server.port)", "token_file": "\(token.path)"])
        // Agents connect from the moment the port is bound, so their sessions are served from here
        // on, not only once `run()` is called; `stop()` waits for every one of them to end.
        let agentSessions = Task {
            await withDiscardingTaskGroup { group in
                for await connection in server.connections {
                    group.addTask { await AgentSession(connection: connection, hub: agents).run() }
                }
            }
        }
        return LocalAPIServer(
            configuration: configuration, loop: loop, server: server, inFlight: inFlight, agents: agents,
            agentSessions: agentSessions, logger: logger)
    }

    /// The transport refuses a body over its limit as soon as the declared length arrives and closes
    /// the connection while the client may still be sending, which can reset the connection before
    /// the client reads the 413. So the transport gets headroom, and bodies just over the API's limit
    /// are read and refused by the endpoint with a JSON 413 the client reliably receives.
    static func transportBodyLimit(_ limit: Int) -> Int {
        let (doubled, overflow) = limit.multipliedReportingOverflow(by: 2)
        return overflow ? Int.max : doubled
    }

    /// Serves until graceful shutdown (or cancellation), then stops.
    public func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }

    /// Lets running requests finish (bounded by `shutdownGrace`), stops listening and frees the port.
    /// Idempotent.
    public func stop() async {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        await inFlight.drain(timeout: configuration.shutdownGrace)
        // Closes agent connections with 1001 too; their sessions end and hand their tasks back.
        await server.stop(gracePeriod: .milliseconds(200))
        await agentSessions.value
        await loop.shutdown(gracePeriod: .milliseconds(200))
        logger.notice("local API stopped", metadata: ["port": "\(port)"])
    }
}

/// Why the local API could not start.
public enum LocalAPIError: Error, Sendable, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            "the local API cannot listen on \(host):\(port): \(reason). Choose another port in the configuration "
                + "(0 picks a free one), or stop the process holding it."
        }
    }
}
