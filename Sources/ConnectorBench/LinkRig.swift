import CloudConnector
import Foundation
import Logging
import OutboxStore
import ReferenceCloud
import ServiceLifecycle

/// The link benchmarks' cast in this process: a reference cloud on loopback and the connector
/// service over a store, run in a ServiceGroup the way `cloud-connector run` runs it.
enum LinkRig {
    /// Announced by the benchmarks' clouds instead of the default 15 s, so that a replay of a few
    /// seconds carries heartbeats too (R8: a replay never starves them) and pays for them.
    static let heartbeatMS = 1_000

    /// Warnings and worse, to stderr: stdout holds only the report.
    static func logger(_ label: String, level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// A started reference cloud with its defaults except the heartbeat, keeping its data in `directory`.
    static func startCloud(_ directory: String) async throws -> ReferenceCloud {
        let cloud = ReferenceCloud(
            configuration: ReferenceCloudConfiguration(dataDirectory: directory, heartbeatIntervalMS: heartbeatMS),
            logger: logger("reference-cloud"))
        try await cloud.start()
        return cloud
    }

    /// The link settings `cloud-connector run` would build for the benchmarks' identity and `cloud`.
    static func settings(for cloud: ReferenceCloud) async -> LinkSettings {
        LinkSettings(
            deviceID: Stores.identity.deviceID, tenantID: Stores.identity.tenantID,
            webSocketURL: await cloud.webSocketURL, apiURL: await cloud.apiURL)
    }
}

/// The connector service running in a ServiceGroup in this process.
struct InProcessConnector {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    static func start(store: OutboxStore, settings: LinkSettings) -> InProcessConnector {
        let service = ConnectorService(settings: settings, store: store, logger: LinkRig.logger("connector"))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], logger: LinkRig.logger("service-group")))
        return InProcessConnector(group: group, task: Task { try await group.run() })
    }

    /// Graceful shutdown, as on SIGTERM; returns once the service has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Waiting on the store's delivery cursor.
enum AckWait {
    /// Polls `acked_seq` every `interval` until it reaches `seq`; the instant it was first seen there.
    /// A liveness bound, not a measurement: `timeout` only stops a hang.
    @discardableResult
    static func until(
        _ reader: OutboxReader, ackedSeq seq: Int64, interval: Duration = .milliseconds(1),
        timeout: Duration, _ what: String
    ) async throws -> ContinuousClock.Instant {
        let deadline = Measure.now() + timeout
        while true {
            let now = Measure.now()
            if try reader.sequenceState().ackedSeq >= seq { return now }
            guard now < deadline else {
                let state = try reader.sequenceState()
                throw BenchFailure(
                    "timed out after \(timeout) waiting for \(what): acked_seq \(state.ackedSeq), expected \(seq) (last_seq \(state.lastSeq))")
            }
            try await Task.sleep(for: interval)
        }
    }
}
