import Logging
import OutboxStore
import WebSocketTransport

/// `GET /metrics`: everything recorded through swift-metrics, plus the delivery gauges read from the
/// store at scrape time. Those are read, not recorded, because the store is shared with CLI
/// commands and other processes: a value pushed by the link service would miss their appends.
struct MetricsEndpoint: Sendable {
    let store: OutboxStore
    let reads: StoreReads
    let factory: PrometheusMetricsFactory
    let logger: Logger

    func handle() -> HTTPServerResponse {
        var scraped: [ScrapedGauge] = []
        do {
            let (backlog, link) = try reads.read { reader in (try reader.backlog(), try reader.linkStatus()) }
            let now = store.options.clock.nowMilliseconds()
            scraped = [
                ScrapedGauge(
                    name: "cloud_connector_pending_messages", help: "Outbox messages the cloud has not acked yet.",
                    value: Double(backlog.pending)),
                ScrapedGauge(
                    name: "cloud_connector_acked_seq", help: "The highest seq the cloud has acked (cumulative).",
                    value: Double(backlog.ackedSeq)),
                ScrapedGauge(
                    name: "cloud_connector_last_seq", help: "The highest seq this device has assigned.",
                    value: Double(backlog.lastSeq)),
                ScrapedGauge(
                    name: "cloud_connector_link_up", help: "1 while the link to the cloud is live, else 0.",
                    value: link?.state == "live" ? 1 : 0),
                ScrapedGauge(
                    name: "cloud_connector_oldest_pending_age_seconds",
                    help: "Age of the oldest message the cloud has not acked; 0 when none is pending.",
                    value: backlog.oldestPendingCreatedAtMS.map { Double(max(now - $0, 0)) / 1000 } ?? 0),
            ]
        } catch {
            // The rest of the exposition is still worth serving; the store gauges' absence is the signal.
            logger.warning("metrics: cannot read the store; its gauges are left out", metadata: ["reason": "\(error)"])
        }
        return HTTPServerResponse(
            status: 200, contentType: PrometheusMetricsFactory.contentType, body: factory.exposition(adding: scraped))
    }
}
