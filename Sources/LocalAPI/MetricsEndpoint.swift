import ConnectorCore
import Logging
import OutboxStore
import WebSocketTransport

/// `GET /metrics`: everything recorded through swift-metrics, plus the delivery, link and execution
/// series read from the store at scrape time. Those are read, not recorded, because the store is
/// shared with CLI commands and other processes: a value pushed by the link service would miss their
/// appends, and would start over with every process. The link's own numbers (state, reconnects,
/// messages sent) come from the `link_status` row the service writes on every state change and
/// now and then while its counters move.
struct MetricsEndpoint: Sendable {
    let store: OutboxStore
    let reads: StoreReads
    let factory: PrometheusMetricsFactory
    let logger: Logger
    /// The previous scrape's acked count, for the replay rate.
    let replayRate = ReplayRate()

    /// Every value `link_status.state` can hold (the migration's CHECK): `LinkStatus.State`'s raw
    /// values plus `standalone` (no cloud configured, R14).
    static let linkStates = LinkStatus.State.allCases.map(\.rawValue) + ["standalone"]

    static let executionStatuses: [ExecutionSummary.Status] = [.accepted, .running, .completed, .failed, .cancelled]

    func handle() -> HTTPServerResponse {
        var scraped: [ScrapedFamily] = []
        do {
            let (backlog, link, totals) = try reads.read { reader in
                (try reader.backlog(), try reader.linkStatus(), try reader.totals())
            }
            let now = store.options.clock.nowMilliseconds()
            scraped = delivery(backlog, now: now) + self.link(link)
                + appendsAndAcks(totals, now: now) + executions(totals)
            scraped.append(ScrapedFamily(
                "cloud_connector_quarantined_stores", .gauge,
                help: "Unreadable outbox files moved aside at start-up (see `cloud-connector status`); any above 0 needs a look.",
                value: Double(StoreQuarantine.list(directory: store.directory, fileName: OutboxStore.fileName).count)))
        } catch {
            // The rest of the exposition is still worth serving; the store series' absence is the signal.
            logger.warning("metrics: cannot read the store; its series are left out", metadata: ["reason": "\(error)"])
        }
        return HTTPServerResponse(
            status: 200, contentType: PrometheusMetricsFactory.contentType,
            body: ScrapedFamily.exposition(registered: factory.exposition(), adding: scraped))
    }

    private func delivery(_ backlog: Backlog, now: Int64) -> [ScrapedFamily] {
        [
            ScrapedFamily(
                "cloud_connector_pending_messages", .gauge, help: "Outbox messages the cloud has not acked yet.",
                value: Double(backlog.pending)),
            ScrapedFamily(
                "cloud_connector_acked_seq", .gauge, help: "The highest seq the cloud has acked (cumulative).",
                value: Double(backlog.ackedSeq)),
            ScrapedFamily(
                "cloud_connector_last_seq", .gauge, help: "The highest seq this device has assigned.",
                value: Double(backlog.lastSeq)),
            ScrapedFamily(
                "cloud_connector_oldest_pending_age_seconds", .gauge,
                help: "Age of the oldest message the cloud has not acked; 0 when none is pending.",
                value: backlog.oldestPendingCreatedAtMS.map { Double(max(now - $0, 0)) / 1000 } ?? 0),
        ]
    }

    /// From the `link_status` row; all zero when no service has reported yet. The counters are the
    /// reporting service's, so they start over when it restarts (Prometheus reads that as a reset).
    private func link(_ link: LinkStatusRecord?) -> [ScrapedFamily] {
        var states = Self.linkStates
        if let state = link?.state, !states.contains(state) { states.append(state) }
        return [
            ScrapedFamily(
                "cloud_connector_link_up", .gauge, help: "1 while the link to the cloud is live, else 0.",
                value: link?.state == "live" ? 1 : 0),
            ScrapedFamily(
                "cloud_connector_link_state", .gauge,
                help: "1 for the state the link service last reported (link_status.state), 0 for every other.",
                label: "state", values: states.map { ($0, $0 == link?.state ? 1 : 0) }),
            ScrapedFamily(
                "cloud_connector_reconnects_total", .counter,
                help: "Connection attempts after the first, by the running service (as `cloud-connector status` shows).",
                value: Double(max((link?.connectAttempts ?? 0) - 1, 0))),
            ScrapedFamily(
                "cloud_connector_connect_attempts_total", .counter,
                help: "Connection attempts by the running service, the first included.",
                value: Double(link?.connectAttempts ?? 0)),
            ScrapedFamily(
                "cloud_connector_link_sessions_total", .counter,
                help: "Sessions the cloud accepted (connect_ack) since the running service started.",
                value: Double(link?.sessions ?? 0)),
            ScrapedFamily(
                "cloud_connector_messages_sent_total", .counter,
                help: "Outbox messages the running service sent, resends included.",
                value: Double(link?.messagesSent ?? 0)),
            ScrapedFamily(
                "cloud_connector_messages_resent_total", .counter,
                help: "Outbox messages the running service sent again (after a reconnect, before an ack).",
                value: Double(link?.messagesResent ?? 0)),
        ]
    }

    private func appendsAndAcks(_ totals: OutboxTotals, now: Int64) -> [ScrapedFamily] {
        [
            ScrapedFamily(
                "cloud_connector_outbox_appends_total", .counter,
                help: "Messages appended to the outbox by any process (local API, CLI, the service), by type; "
                    + "repeated event_id/report_id excluded. Read from the store's projections.",
                label: "type",
                values: OutboxMessageType.allCases.map { ($0.rawValue, Double(totals.appended[$0] ?? 0)) }),
            ScrapedFamily(
                "cloud_connector_acked_messages_total", .counter,
                help: "Outbox messages the cloud has acked: acked_seq less the seqs no message held "
                    + "(R7 jumps) and the progress events the size bound dropped unsent.",
                value: Double(totals.ackedMessages)),
            ScrapedFamily(
                "cloud_connector_replay_rate_messages_per_second", .gauge,
                help: "Messages acked per second between the previous scrape (at least 1 s earlier) and this one: "
                    + "the change of cloud_connector_acked_messages_total over the store clock's elapsed time; "
                    + "0 on the first scrape.",
                value: replayRate.update(atMS: now, ackedMessages: totals.ackedMessages)),
        ]
    }

    private func executions(_ totals: OutboxTotals) -> [ScrapedFamily] {
        [
            ScrapedFamily(
                "cloud_connector_executions", .gauge,
                help: "Executions by the status of their timeline (accepted and running ones are in progress).",
                label: "status",
                values: Self.executionStatuses.map { ($0.rawValue, Double(totals.executions[$0] ?? 0)) }),
        ]
    }
}
