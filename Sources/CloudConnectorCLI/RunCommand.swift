import ArgumentParser
@_spi(Faults) import CloudConnector
import ConnectorCore
import Executors
import LocalAPI
import Foundation
import Logging
@_spi(Faults) import OutboxStore
import ServiceLifecycle
import WebSocketTransport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the connector as a service: one WebSocket to the cloud, the outbox replayed until acked.",
        discussion: """
            Owns the data directory while it runs (a second `run` on it exits 69; CLI commands keep \
            working beside it). With CLOUD_WS_URL set it fetches a device token from \
            {CLOUD_API_URL or the WebSocket URL's host}/device-token, connects, and sends every outbox \
            message the cloud has not acked, in seq order, then each new one as it is appended — also \
            appends made by other processes such as `outbox append`. Outages, refusals and restarts lose \
            nothing: it reconnects with backoff and resends above the cloud's acked_seq. Without \
            CLOUD_WS_URL it runs standalone and keeps the outbox for later.

            SIGTERM or SIGINT: no new sends, up to --shutdown-grace for in-flight messages to be acked, \
            close 1001, exit 0. `cloud-connector status` shows the link from another shell.

            Environment: CLOUD_WS_URL, CLOUD_API_URL, CLOUD_API_KEY (never printed), CLOUD_CA_FILE \
            (PEM CAs for wss://), CLOUD_TLS_INSECURE=1 (skip certificate checks; warned at every \
            connect), DEVICE_ID, TENANT_ID, LOG_LEVEL (default info for run).

            Examples:
              CLOUD_WS_URL=wss://cloud.example/ws cloud-connector run --data-dir /var/lib/mindscape
              cloud-connector run            # standalone
            """)

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory holding device_id and outbox.sqlite. Default: $CLOUD_CONNECTOR_DATA_DIR, else ~/.mindscape. Example: --data-dir /var/lib/mindscape",
            valueName: "path"))
    var dataDirectory: String?

    @OptionGroup var tuning: StoreTuningOptions

    @Option(
        name: .customLong("shutdown-grace"),
        help: ArgumentHelp(
            "On SIGTERM/SIGINT, how long in-flight messages may take to be acked before the link closes anyway (they are resent next time). Default 5s. Example: --shutdown-grace 10s",
            valueName: "duration"))
    var shutdownGrace: String?

    func run() async throws {
        let context = try CommandContext(
            dataDirectory: dataDirectory, json: false, durability: tuning.durability, maxOutboxBytes: tuning.maxOutboxBytes)
        let grace = try Self.grace(shutdownGrace)
        let logger = context.logger
        let directory = try DataDirectory.prepare(context.configuration.dataDirectory, logger: logger)
        let lock = try DataDirectoryLock.acquire(directory)
        defer { lock.release() }
        guard let identity = try DeviceIdentity.resolve(configuration: context.configuration, directory: directory, createIfMissing: true)
        else {
            throw CLIFailure(.software, "internal error: the device id was not created. Please report it.")
        }
        let testFaults = TestFaults.forRun(context.environment, logger: logger)
        let store = try Self.openOrQuarantine(context, directory, identity, faults: testFaults.store)
        defer { store.close() }
        let config = try ConfigFile.load(directory: directory.path)
        let settings = context.configuration.cloud.map { cloud in
            var settings = LinkSettings(
                deviceID: identity.deviceID, tenantID: identity.tenantID, webSocketURL: cloud.webSocketURL,
                displayWebSocketURL: cloud.displayWebSocketURL, apiURL: cloud.apiURL,
                displayAPIURL: cloud.displayAPIURL, apiKey: context.configuration.apiKey,
                tls: TLSConfiguration(caFile: context.configuration.caFile, allowInsecure: context.configuration.tlsInsecure))
            settings.shutdownGrace = grace
            settings.faults = testFaults.link
            settings.connection.reconnectBackoff = BackoffPolicy(
                base: .milliseconds(config.reconnectBaseMS), cap: .milliseconds(config.reconnectCapMS))
            return settings
        }
        let httpLoop = try WebSocketEventLoop(name: "executors", logger: logger)
        let executor = Self.executor(config, directory: directory, loop: httpLoop)
        let transport = TransportHandler(
            store: store, executor: executor, deviceID: identity.deviceID, tenantID: identity.tenantID,
            concurrencyLimit: config.maxConcurrentExecutions, defaultTimeoutMS: config.defaultTimeoutMS, logger: logger)
        let (inbound, inboundSink) = AsyncStream.makeStream(of: InboundFrame.self)
        let link = ConnectorService(settings: settings, store: store, logger: logger) { inboundSink.yield($0) }
        let metrics = PrometheusMetricsFactory(logger: logger)
        metrics.bootstrapMetricsSystem()
        let agents = AgentHub(logger: logger)
        let api = try await LocalAPIServer.start(
            configuration: LocalAPIConfiguration(host: config.localAPIHost, port: config.localAPIPort),
            store: store, token: try LocalToken.loadOrCreate(directory: directory.path), metrics: metrics, agents: agents,
            logger: logger)
        let messaging = MessagingHandler(
            store: store, deviceID: identity.deviceID, tenantID: identity.tenantID, bindings: config.channelBindings,
            defaultWorkspace: config.defaultWorkspace, logger: logger,
            dispatch: MessagingDispatch(
                agents: agents, wait: .milliseconds(config.agentWaitMS),
                fallback: MessagingFallback(config, directory: directory), logger: logger
            ).closure)
        let reloader = CapabilityReloader(
            action: config.reload.map { action in
                switch action {
                case .command(let path): .command(path)
                case .http(let url): .http(url: url)
                }
            }, loop: httpLoop, logger: logger)
        var work = ExecutionService(
            transport: transport, messaging: messaging, reloader: reloader, inbound: inbound, logger: logger)
        work.inboxRetention = .milliseconds(config.inboxRetentionMS)
        logger.notice("local API listening", metadata: ["url": "http://\(api.host):\(api.port)"])
        // Shut down in reverse order: the local API and the work first (their last messages land in
        // the outbox), then the link.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: link), .init(service: work), .init(service: api)],
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        try await group.run()
        await httpLoop.shutdown(gracePeriod: .seconds(1))
    }

    /// config.json's executor choices: command handlers in `<data>/handlers` (or `handlers_dir`),
    /// HTTP executors per URL.
    static func executor(_ config: ConfigFile, directory: DataDirectory, loop: WebSocketEventLoop) -> any Executor {
        func route(_ choice: ConfigFile.ExecutorChoice) -> ExecutorRoute {
            switch choice {
            case .command: .command
            case .http(let url): .http(url: url)
            }
        }
        let routes = ExecutorsConfiguration(
            defaultRoute: route(config.executor), tools: config.tools.mapValues(route),
            playbooks: config.playbooks.mapValues(route))
        // Working folders under the data directory, so the start-up sweep removes only ours.
        try? FileManager.default.createDirectory(
            atPath: directory.file("work"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let command = CommandExecutor(
            handlersDirectory: config.handlersDirectory ?? directory.file("handlers"), workRoot: directory.file("work"))
        command.removeLeftoverWorkDirectories()
        return RoutingExecutor(configuration: routes, command: command, http: { HTTPExecutor(url: $0, loop: loop) })
    }

    /// A store SQLite cannot read — its header, or the pages the start-up probe reads (the newest
    /// log rows, the edges of every index and projection, or all of a small store) — is moved aside
    /// and a fresh one started: the service must keep taking work, and R7 keeps the fresh store's
    /// seqs above what the cloud already holds. `outbox salvage` brings the moved file's messages back.
    static func openOrQuarantine(
        _ context: CommandContext, _ directory: DataDirectory, _ identity: DeviceIdentity, faults: OutboxFaults = []
    ) throws -> OutboxStore {
        do {
            return try context.open(directory, identity, faults: faults, probeForDamage: true)
        } catch OutboxError.corrupt(let path, let detail) {
            let moved = try StoreQuarantine.moveAside(directory: directory.path, fileName: OutboxStore.fileName)
            context.logger.critical(
                "the outbox could not be read and was moved aside; starting a fresh one. Messages it held that the cloud had not acked are only in the moved file: recover them with `cloud-connector outbox salvage`",
                metadata: ["store": "\(path)", "reason": "\(detail)", "moved_to": "\(moved)"])
            return try context.open(directory, identity, faults: faults)
        }
    }

    static func grace(_ text: String?) throws -> Duration {
        guard let text else { return .seconds(5) }
        guard let milliseconds = DurationText.parseMilliseconds(text) else {
            throw ValidationError("--shutdown-grace must be a duration such as 5s, 500ms or 1m, not \"\(text)\".")
        }
        return .milliseconds(milliseconds)
    }
}
