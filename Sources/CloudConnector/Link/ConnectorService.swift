public import ConnectorCore
import Foundation
public import Logging
public import OutboxStore
public import ServiceLifecycle
import WebSocketTransport

/// The seed's CloudConnector as a long-lived service: keeps the device's one WebSocket to the cloud
/// and replays the outbox over it until every message is acked. Without a cloud it runs standalone
/// (R14): local appends keep landing in the outbox, and are replayed once a cloud is configured.
///
/// Graceful shutdown (SIGTERM/SIGINT through the ServiceGroup): no new outbox sends, a bounded wait
/// for in-flight messages to be acked, close 1001, last acks recorded, then `run` returns.
public struct ConnectorService: Service {
    let settings: LinkSettings?
    let store: OutboxStore
    let logger: Logger
    let onInbound: @Sendable (InboundFrame) -> Void

    /// `settings` nil runs standalone. `onInbound` receives the cloud's requests (execution_request,
    /// execution_cancel, messaging_event, capability_reload) while the link is live.
    public init(
        settings: LinkSettings?, store: OutboxStore, logger: Logger,
        onInbound: @escaping @Sendable (InboundFrame) -> Void = { _ in }
    ) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.onInbound = onInbound
    }

    public func run() async throws {
        guard let settings else {
            try await runStandalone()
            return
        }
        let loop = try WebSocketEventLoop(name: "cloud-link", logger: logger)
        let driver = try LinkDriver(settings: settings, store: store, loop: loop, logger: logger, onInbound: onInbound)
        let inbox = driver.inbox
        let watcher = try StoreWatcher(
            directory: store.directory, fileName: OutboxStore.fileName, fallbackInterval: settings.storeSafetyPoll,
            logger: logger)
        if !settings.faults.contains(.ignoreFileWatch) {
            watcher.start { inbox.yield(.storeChanged) }
        }
        // Appends by this process are announced at their commit, without the watch's delay.
        store.observeCommits { _ in inbox.yield(.storeChanged) }
        logger.notice(
            "cloud link starting",
            metadata: [
                "url": "\(settings.displayWebSocketURL)", "device_id": "\(settings.deviceID)",
                "tenant_id": "\(settings.tenantID)",
            ])
        await withGracefulShutdownHandler {
            await driver.run()
        } onGracefulShutdown: {
            inbox.yield(.shutdownRequested)
        }
        watcher.stop()
        await loop.shutdown(gracePeriod: .seconds(1))
        logger.notice("cloud link stopped")
    }

    /// R14: nothing to connect to. Says so, keeps the status current, waits for the shutdown signal.
    private func runStandalone() async throws {
        logger.notice(
            "CLOUD_WS_URL is not set: running standalone. Local appends are kept in the outbox and replayed once a cloud is configured.")
        let started = SystemWallClock().nowMilliseconds()
        try await record(LinkStatusRecord(state: "standalone", pid: Int64(getpid()), startedAtMS: started, updatedAtMS: started))
        try? await gracefulShutdown()
        let stopped = max(SystemWallClock().nowMilliseconds(), started)
        try await record(LinkStatusRecord(state: "stopped", pid: Int64(getpid()), startedAtMS: started, updatedAtMS: stopped))
    }

    private func record(_ status: LinkStatusRecord) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            store.recordLinkStatus(status) { continuation.resume(with: $0.mapError { $0 as any Error }) }
        }
    }
}
