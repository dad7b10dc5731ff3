import Metrics
import ConnectorCore
import OutboxStore

/// The local API's own numbers. Recorded through the factory it was given rather than the global
/// MetricsSystem, so they reach /metrics whether or not the process bootstrapped that factory
/// (tests never do), and the same handlers when it did.
struct LocalAPIMetrics: Sendable {
    let factory: any MetricsFactory

    func request(route: String, status: Int, duration: Duration) {
        Counter(
            label: "cloud_connector_local_api_requests_total", dimensions: [("route", route), ("status", String(status))],
            factory: factory
        ).increment()
        Metrics.Timer(label: "cloud_connector_local_api_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// `outcome` is `created`, `duplicate` or `refused`. Appends through this API only, refusals
    /// included; `cloud_connector_outbox_appends_total` (MetricsEndpoint) counts every writer's.
    func append(_ type: OutboxMessageType, outcome: String) {
        Counter(
            label: "cloud_connector_local_appends_total", dimensions: [("type", type.rawValue), ("outcome", outcome)],
            factory: factory
        ).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
