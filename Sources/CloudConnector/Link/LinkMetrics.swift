import Metrics

/// The link's numbers for whatever metrics backend the process bootstraps (none by default, then
/// these cost nothing). `cloud-connector status` does not depend on them: it reads the store.
struct LinkMetrics: Sendable {
    let sent = Counter(label: "cloud_connector_messages_sent_total")
    let resent = Counter(label: "cloud_connector_messages_resent_total")
    let connectAttempts = Counter(label: "cloud_connector_connect_attempts_total")
    let ackedSeq = Gauge(label: "cloud_connector_acked_seq")
    let pending = Gauge(label: "cloud_connector_pending_messages")
}
