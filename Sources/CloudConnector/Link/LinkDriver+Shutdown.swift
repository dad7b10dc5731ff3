import ConnectorCore
import Logging

/// SIGTERM/SIGINT: no new outbox sends, a bounded wait for what is in flight to be acked, then
/// close with 1001 (PROTOCOL §6) and stop once the last acks are durable.
extension LinkDriver {
    func beginShutdown(_ group: inout DiscardingTaskGroup) {
        guard !draining else { return }
        draining = true
        logger.notice(
            "shutting down: waiting for in-flight messages to be acked",
            metadata: [
                "inflight": "\(window.inflightCount)",
                "grace_ms": "\(settings.shutdownGrace.saturatingNanoseconds / 1_000_000)",
            ])
        post(.drainDeadline, after: settings.shutdownGrace, &group)
    }

    func finishShutdown(_ group: inout DiscardingTaskGroup) {
        guard !shutdownFed else { return }
        shutdownFed = true
        feed(.shutdown, &group)
    }
}
