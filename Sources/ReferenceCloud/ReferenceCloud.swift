import Foundation
public import ConnectorCore
public import Logging
public import WebSocketTransport

/// The cloud side of PROTOCOL.md on one port: `GET /device-token`, the WebSocket endpoint
/// (default `/ws`), the admin HTTP API, durable storage with acks after commit, dedupe (R6),
/// and fault modes for tests.
public actor ReferenceCloud {
    public nonisolated let configuration: ReferenceCloudConfiguration
    private let logger: Logger
    private var running: Running?

    /// What exists only while started.
    private struct Running {
        var context: CloudContext
        var loop: WebSocketEventLoop
        var server: WebSocketServer
        var acceptor: Task<Void, Never>
    }

    public init(configuration: ReferenceCloudConfiguration, logger: Logger = Logger(label: "reference-cloud")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The SQLite file the cloud keeps its messages in (tests read it directly).
    public nonisolated var databasePath: String {
        (configuration.dataDirectory as NSString).appendingPathComponent("cloud.sqlite")
    }

    /// The bound port, 0 before `start()`.
    public var port: Int { running?.server.port ?? 0 }
    /// `ws://host:port/ws` (`wss://` with TLS), the device's CLOUD_WS_URL.
    public var webSocketURL: String {
        "\(configuration.tls == nil ? "ws" : "wss")://\(configuration.host):\(port)\(configuration.webSocketPath)"
    }
    /// `http://host:port` (`https://` with TLS), the device's CLOUD_API_URL (also where the admin API lives).
    public var apiURL: String { "\(configuration.tls == nil ? "http" : "https")://\(configuration.host):\(port)" }

    public func start() async throws(ReferenceCloudError) {
        guard running == nil else { throw .alreadyStarted }
        let store: CloudStore
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            store = try CloudStore(path: databasePath)
        } catch {
            throw .storage("\(error)")
        }
        let context = CloudContext(configuration: configuration, logger: logger, store: store)
        do {
            for token in try await store.loadTokens(nowMS: nowMilliseconds()) { context.tokens.insert(token) }
        } catch {
            throw .storage("\(error)")
        }
        let server: WebSocketServer
        let loop: WebSocketEventLoop
        do {
            loop = try WebSocketEventLoop(name: "ref-cloud", logger: logger)
            server = try await loop.startServer(WebSocketServerConfiguration(
                host: configuration.host, port: configuration.port, webSocketPath: configuration.webSocketPath,
                tls: configuration.tls, extraHeaderNames: ["X-Device-Id", "X-Tenant-Id"],
                upgradeFilter: { context.upgradeDecision($0) },
                httpHandler: { await context.respond($0) }))
        } catch {
            throw .transport("\(error)")
        }
        // Each connection is served by its own session; the group ends once the server stopped
        // and every session read its connection to the end.
        let acceptor = Task {
            await withDiscardingTaskGroup { group in
                for await connection in server.connections {
                    group.addTask { await DeviceSession(connection: connection, context: context).run() }
                }
            }
        }
        running = Running(context: context, loop: loop, server: server, acceptor: acceptor)
        logger.info("reference cloud listening", metadata: ["url": .string(webSocketURL), "data_dir": .string(configuration.dataDirectory)])
    }

    /// Closes every link with 1001, stops listening (the port is free again) and closes the store.
    public func stop() async {
        guard let running else { return }
        self.running = nil
        await running.server.stop()
        await running.loop.shutdown()
        await running.acceptor.value
        logger.info("reference cloud stopped")
    }

    private func context() throws(ReferenceCloudError) -> CloudContext {
        guard let running else { throw .notStarted }
        return running.context
    }

    // MARK: commands and faults

    /// Sends a command (`execution_request`, `messaging_event`, `execution_cancel`,
    /// `capability_reload`, `ping`, ...) to a connected device; `id` and `ts` are added when absent.
    public func send(_ frame: JSONValue, to deviceID: String) async throws(ReferenceCloudError) {
        try await context().send(frame, to: deviceID)
    }

    /// Sends each bad frame once to a connected device (R15 tests for the device side).
    public func sendMalformed(_ frames: [MalformedFrame] = MalformedFrame.allCases, to deviceID: String) async throws(ReferenceCloudError) {
        try await context().sendMalformed(frames, to: deviceID)
    }

    /// Sends each text as one frame, exactly as given (no id or ts added): generated bad frames for
    /// the device's R15 tests.
    public func sendRawText(_ texts: [String], to deviceID: String) async throws(ReferenceCloudError) {
        try await context().sendRawText(texts, to: deviceID)
    }

    public func isConnected(_ deviceID: String) -> Bool {
        running?.context.session(for: deviceID) != nil
    }

    public var faults: CloudFaults { running?.context.faults ?? configuration.faults }

    /// Replaces the fault modes; takes effect for the next frame, token request or upgrade.
    public func setFaults(_ faults: CloudFaults) throws(ReferenceCloudError) {
        try context().faults = faults
    }

    /// Forgets everything held for a device (acked_seq back to 0) and closes its link.
    public func wipe(deviceID: String) async throws(ReferenceCloudError) {
        try await context().wipe(deviceID: deviceID)
    }

    // MARK: reports

    public func counts(deviceID: String) async throws(ReferenceCloudError) -> DeviceCounts {
        try await context().counts(deviceID: deviceID)
    }

    /// Stored messages in seq order.
    public func messages(deviceID: String) async throws(ReferenceCloudError) -> [CloudMessage] {
        try await context().messages(deviceID: deviceID)
    }

    /// When each heartbeat from the device arrived (Unix ms), since this cloud started; not stored.
    public func heartbeatTimes(deviceID: String) throws(ReferenceCloudError) -> [Int64] {
        try context().heartbeats(deviceID: deviceID)
    }

    /// What the device's `connect` and `heartbeat` frames said, since this cloud started; not stored.
    public func reports(deviceID: String) throws(ReferenceCloudError) -> DeviceReports {
        try context().reports(deviceID: deviceID)
    }

    /// How each of the device's connections ended (close code and reason as the cloud saw them),
    /// oldest first, since this cloud started; not stored.
    public func closures(deviceID: String) throws(ReferenceCloudError) -> [WebSocketClosure] {
        try context().closures(deviceID: deviceID)
    }

    public func usage(deviceID: String) async throws(ReferenceCloudError) -> UsageTotals {
        try await context().usage(deviceID: deviceID)
    }
}
