@_spi(Faults) import CloudConnector
import ConnectorCore
import FaultProxy
import Foundation
import Logging
import OutboxStore
import ReferenceCloud
import ServiceLifecycle
import TrafficGenerator
import WebSocketTransport

let testDevice = "link-device-1"
let testTenant = "link-tenant"

/// Logs from the connector under test: quiet unless LINK_TEST_LOG_LEVEL asks (e.g. `debug`).
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    let level = ProcessInfo.processInfo.environment["LINK_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}

/// Short timings so outages, refusals and staleness play out in seconds.
func quickSettings(url: String, apiURL: String, faults: LinkFaults = []) -> LinkSettings {
    let agent = AgentInfo(name: "link-tests", version: "1")
    let connection = ConnectionConfiguration(
        deviceID: testDevice, tenantID: testTenant, agent: agent,
        reconnectBackoff: BackoffPolicy(base: .milliseconds(20), cap: .milliseconds(200)),
        refusalBackoff: BackoffPolicy(base: .milliseconds(200), cap: .milliseconds(400), floor: .milliseconds(100)),
        handshakeTimeout: .seconds(5))
    var settings = LinkSettings(
        deviceID: testDevice, tenantID: testTenant, webSocketURL: url, apiURL: apiURL, agent: agent,
        connection: connection, shutdownGrace: .seconds(2), closeTimeout: .seconds(1),
        statusFlushInterval: .milliseconds(100), jitterSeed: 42)
    settings.faults = faults
    return settings
}

/// A device store in a temp folder and a reference cloud, optionally behind the fault proxy.
final class LinkHarness: Sendable {
    let directory: String
    let store: OutboxStore
    let cloud: ReferenceCloud
    let proxy: FaultProxy?

    init(
        proxied: Bool = false, heartbeatMS: Int = 5_000, maxInflight: Int = 1_000, faults: CloudFaults = CloudFaults(),
        cloudDirectory: String? = nil, apiKeys: Set<String> = [], tokenLifetime: Duration = .seconds(3600),
        tls: TLSConfiguration? = nil
    ) async throws {
        directory = NSTemporaryDirectory() + "link-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/device", withIntermediateDirectories: true)
        // Child `cloud-connector run` processes pick a free local API port instead of the default one.
        try #"{"local_api": {"port": 0}}"#.write(toFile: directory + "/device/config.json", atomically: true, encoding: .utf8)
        store = try OutboxStore.open(
            directory: directory + "/device", identity: StoreIdentity(deviceID: testDevice, tenantID: testTenant),
            logger: testLogger("store"))
        cloud = ReferenceCloud(
            configuration: ReferenceCloudConfiguration(
                dataDirectory: cloudDirectory ?? directory + "/cloud", apiKeys: apiKeys, tokenLifetime: tokenLifetime, heartbeatIntervalMS: heartbeatMS,
                maxInflight: maxInflight, faults: faults, tls: tls),
            logger: testLogger("cloud"))
        try await cloud.start()
        proxy = proxied ? try FaultProxy(upstreamPort: await cloud.port) : nil
    }

    /// The URLs the connector dials: through the proxy when there is one.
    func urls() async -> (ws: String, api: String) {
        guard let proxy else { return (await cloud.webSocketURL, await cloud.apiURL) }
        return ("ws://127.0.0.1:\(proxy.port)/ws", "http://127.0.0.1:\(proxy.port)")
    }

    func settings(faults: LinkFaults = []) async -> LinkSettings {
        let (ws, api) = await urls()
        return quickSettings(url: ws, apiURL: api, faults: faults)
    }

    func finish() async {
        proxy?.stop()
        await cloud.stop()
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: the device side

    /// Generated messages, without appending them.
    func drafts(count: Int, seed: UInt64) -> [MessageDraft] {
        var generator = TrafficGenerator(seed: seed, deviceID: testDevice, tenantID: testTenant)
        return (0..<count).map { _ in generator.next() }
    }

    /// Appends `count` generated messages in units of `batch`, pausing between units.
    func append(count: Int, batch: Int = 1, pause: Duration = .zero, seed: UInt64 = 7) async throws {
        var generator = TrafficGenerator(seed: seed, deviceID: testDevice, tenantID: testTenant)
        var left = count
        while left > 0 {
            let size = min(batch, left)
            let drafts = (0..<size).map { _ in generator.next() }
            _ = try await store.append(drafts)
            left -= size
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }

    func backlog() throws -> Backlog { try store.makeReader().backlog() }
    func linkStatus() throws -> LinkStatusRecord? { try store.makeReader().linkStatus() }

    /// Every held message's seq and id, in seq order.
    func heldMessages() throws -> [(seq: Int64, id: String)] {
        let reader = try store.makeReader()
        var rows: [(Int64, String)] = []
        var after: Int64 = 0
        while true {
            var filter = InspectFilter()
            filter.limit = 5_000
            let page = try reader.inspect(filter, after: after)
            guard let last = page.last else { return rows }
            rows += page.map { ($0.seq, $0.id.description) }
            after = last.seq
        }
    }
}

/// A connector service running in a ServiceGroup, as `cloud-connector run` runs it.
struct RunningConnector {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    static func start(_ settings: LinkSettings?, store: OutboxStore, logger: Logger = testLogger("connector")) -> RunningConnector {
        let service = ConnectorService(settings: settings, store: store, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: service)], logger: testLogger("group")))
        return RunningConnector(group: group, task: Task { try await group.run() })
    }

    /// Graceful shutdown, as on SIGTERM; returns once the service has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes. Liveness waits are generous:
/// they bound a hang, they do not measure speed.
func eventually(
    timeout: Duration = .seconds(60), _ what: String, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw WaitTimedOut(what: what)
}

struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for: \(what)" }
}
