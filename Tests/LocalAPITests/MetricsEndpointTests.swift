import ConnectorCore
import Metrics
import OutboxStore
import Synchronization
import Testing

/// GET /metrics over HTTP: valid exposition, the store's gauges, and what went through the factory.
@Suite struct MetricsEndpointTests {
    @Test func exposesStoreGaugesAndFactoryMetricsInValidFormat() async throws {
        try await withAPI { api in
            #expect(try await api.post("/v1/usage", Payloads.usage()).status == 201)
            #expect(try await api.post("/v1/events", Payloads.event()).status == 201)
            #expect(try await api.post("/v1/events", Payloads.event()).status == 201)
            _ = try await api.store.acknowledge(through: 1)
            try await record(api.store, LinkStatusRecord(state: "live", sessionID: "s-1", pid: 1, startedAtMS: 0, updatedAtMS: 0))

            // Through the factory, as any component does once `run` bootstrapped it.
            Counter(label: "test_widgets_total", dimensions: [("kind", "a\"b\\c\nd")], factory: api.factory).increment(by: 3)
            // A registered gauge under a store gauge's name (the link service keeps one): the store wins.
            Gauge(label: "cloud_connector_pending_messages", factory: api.factory).record(999)

            let response = try await api.send(.get, "/metrics", authorization: "")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let exposition = try Exposition(response.bodyText)
            #expect(exposition.value("cloud_connector_pending_messages") == 2)
            #expect(exposition.value("cloud_connector_acked_seq") == 1)
            #expect(exposition.value("cloud_connector_last_seq") == 3)
            #expect(exposition.value("cloud_connector_link_up") == 1)
            #expect(exposition.types["cloud_connector_pending_messages"] == "gauge")
            #expect(exposition.value("test_widgets_total", ["kind": "a\"b\\c\nd"]) == 3)
            #expect(exposition.types["test_widgets_total"] == "counter")
            #expect(exposition.help["test_widgets_total"] != nil)
            #expect(response.bodyText.contains(#"test_widgets_total{kind="a\"b\\c\nd"} 3"#))
            // The API counts its own requests and appends.
            #expect(exposition.value("cloud_connector_local_appends_total", ["type": "execution_event", "outcome": "created"]) == 2)
            #expect(exposition.value("cloud_connector_local_api_requests_total", ["route": "events", "status": "201"]) == 2)
            #expect(exposition.types["cloud_connector_local_api_request_duration_seconds"] == "histogram")
            #expect(exposition.value("cloud_connector_local_api_request_duration_seconds_count", ["route": "usage"]) == 1)
        }
    }

    @Test func linkDownIsZero() async throws {
        try await withAPI { api in
            let exposition = try await scrape(api)
            #expect(exposition.value("cloud_connector_link_up") == 0)
            #expect(exposition.value("cloud_connector_pending_messages") == 0)
            // No service has reported: every state 0, the link's counters 0.
            let states = exposition.samples.filter { $0.name == "cloud_connector_link_state" }
            #expect(states.count == MetricsEndpointTests.linkStates.count)
            #expect(states.allSatisfy { $0.value == 0 })
            #expect(exposition.value("cloud_connector_reconnects_total") == 0)
            #expect(exposition.value("cloud_connector_messages_sent_total") == 0)
        }
    }

    /// Every value the `link_status.state` column allows (Migrations/0002_link_status.sql).
    static let linkStates = [
        "standalone", "idle", "fetching_token", "connecting", "awaiting_connect_ack", "live", "closing", "backing_off",
        "stopped",
    ]

    @Test func linkStateAndCountersComeFromTheStatusRow() async throws {
        try await withAPI { api in
            try await record(api.store, LinkStatusRecord(
                state: "backing_off", lastError: "the connection was lost", connectAttempts: 5, sessions: 3,
                tokenRefusals: 1, messagesSent: 40, messagesResent: 7, pid: 1, startedAtMS: 0, updatedAtMS: 0))
            let backingOff = try await scrape(api)
            #expect(backingOff.types["cloud_connector_link_state"] == "gauge")
            for state in Self.linkStates {
                #expect(backingOff.value("cloud_connector_link_state", ["state": state]) == (state == "backing_off" ? 1 : 0),
                        "state \(state)")
            }
            #expect(backingOff.value("cloud_connector_link_up") == 0)
            // As `cloud-connector status` counts them: attempts after the first.
            #expect(backingOff.value("cloud_connector_reconnects_total") == 4)
            #expect(backingOff.types["cloud_connector_reconnects_total"] == "counter")
            #expect(backingOff.value("cloud_connector_connect_attempts_total") == 5)
            #expect(backingOff.value("cloud_connector_link_sessions_total") == 3)
            #expect(backingOff.value("cloud_connector_messages_sent_total") == 40)
            #expect(backingOff.value("cloud_connector_messages_resent_total") == 7)
            #expect(backingOff.types["cloud_connector_messages_sent_total"] == "counter")

            try await record(api.store, LinkStatusRecord(
                state: "live", sessionID: "s-4", connectAttempts: 6, sessions: 4, messagesSent: 52, messagesResent: 9,
                pid: 1, startedAtMS: 0, updatedAtMS: 0))
            let live = try await scrape(api)
            #expect(live.value("cloud_connector_link_state", ["state": "live"]) == 1)
            #expect(live.value("cloud_connector_link_state", ["state": "backing_off"]) == 0)
            #expect(live.samples.filter { $0.name == "cloud_connector_link_state" }.map(\.value).reduce(0, +) == 1)
            #expect(live.value("cloud_connector_link_up") == 1)
            #expect(live.value("cloud_connector_reconnects_total") == 5)
            #expect(live.value("cloud_connector_messages_sent_total") == 52)
            #expect(live.value("cloud_connector_messages_resent_total") == 9)

            try await record(api.store, LinkStatusRecord(state: "standalone", pid: 1, startedAtMS: 0, updatedAtMS: 0))
            let standalone = try await scrape(api)
            #expect(standalone.value("cloud_connector_link_state", ["state": "standalone"]) == 1)
            #expect(standalone.value("cloud_connector_link_state", ["state": "live"]) == 0)
        }
    }

    /// A counter registered through the factory under a store series' name (as the link service did)
    /// must not show twice: the store's value wins and the exposition stays valid.
    @Test func aStoreSeriesReplacesARegisteredOneOfTheSameName() async throws {
        try await withAPI { api in
            try await record(api.store, LinkStatusRecord(state: "live", messagesSent: 12, pid: 1, startedAtMS: 0, updatedAtMS: 0))
            Counter(label: "cloud_connector_messages_sent_total", factory: api.factory).increment(by: 500)
            Counter(label: "test_unrelated_total", factory: api.factory).increment(by: 2)
            let exposition = try await scrape(api)
            #expect(exposition.value("cloud_connector_messages_sent_total") == 12)
            #expect(exposition.samples.filter { $0.name == "cloud_connector_messages_sent_total" }.count == 1)
            #expect(exposition.value("test_unrelated_total") == 2)
        }
    }

    @Test func executionsByTimelineStatus() async throws {
        try await withAPI { api in
            let failure: JSONValue = ["error": ["code": "handler_failed", "message": "exit 3", "retryable": false]]
            let timelines: [(String, [(String, JSONValue)])] = [
                ("req-done-1", [("accepted", ["job_type": "tool"]), ("started", [:]), ("completed", ["result": nil])]),
                ("req-done-2", [("accepted", [:]), ("completed", ["result": "ok"])]),
                ("req-done-3", [("started", [:]), ("completed", ["result": 1])]),
                ("req-failed", [("accepted", [:]), ("started", [:]), ("failed", failure)]),
                ("req-cancelled-1", [("accepted", [:]), ("cancelled", ["reason": "user"])]),
                ("req-cancelled-2", [("accepted", [:]), ("started", [:]), ("cancelled", [:])]),
                ("req-running", [("accepted", [:]), ("started", [:]), ("progress", ["message": "halfway"])]),
                ("req-running-2", [("started", [:])]),
                ("req-accepted", [("accepted", [:])]),
            ]
            for (requestID, events) in timelines {
                for (type, data) in events {
                    _ = try await api.store.append(MessageDraft(
                        type: .executionEvent, payload: Payloads.event(requestID: requestID, type: type, data: data)))
                }
            }
            let exposition = try await scrape(api)
            #expect(exposition.types["cloud_connector_executions"] == "gauge")
            #expect(exposition.value("cloud_connector_executions", ["status": "completed"]) == 3)
            #expect(exposition.value("cloud_connector_executions", ["status": "failed"]) == 1)
            #expect(exposition.value("cloud_connector_executions", ["status": "cancelled"]) == 2)
            #expect(exposition.value("cloud_connector_executions", ["status": "running"]) == 2)
            #expect(exposition.value("cloud_connector_executions", ["status": "accepted"]) == 1)

            // A terminal event moves an execution from running to its outcome at the next scrape.
            _ = try await api.store.append(MessageDraft(
                type: .executionEvent, payload: Payloads.event(requestID: "req-running", type: "failed", data: failure)))
            let later = try await scrape(api)
            #expect(later.value("cloud_connector_executions", ["status": "running"]) == 1)
            #expect(later.value("cloud_connector_executions", ["status": "failed"]) == 2)
        }
    }

    /// Appends by any writer of the store (here the store itself, as `outbox append` in another process
    /// does, and the local API), by type; a repeated event_id is no append. Acked messages leave out the
    /// seqs an R7 jump skipped.
    @Test func appendsByTypeAndAckedMessagesCountEveryWriter() async throws {
        try await withAPI { api in
            let empty = try await scrape(api)
            for type in ["execution_event", "usage_report", "messaging_reply"] {
                #expect(empty.value("cloud_connector_outbox_appends_total", ["type": type]) == 0)
            }
            #expect(empty.types["cloud_connector_outbox_appends_total"] == "counter")

            let repeated = Payloads.event(requestID: "req-a", type: "accepted")
            for payload in [repeated, repeated, Payloads.event(requestID: "req-a"), Payloads.event(requestID: "req-b")] {
                _ = try await api.store.append(MessageDraft(type: .executionEvent, payload: payload))
            }
            for reportID in ["r-1", "r-2"] {
                _ = try await api.store.append(MessageDraft(type: .usageReport, payload: Payloads.usage(reportID: reportID)))
            }
            _ = try await api.store.append(MessageDraft(type: .messagingReply, payload: Payloads.reply(text: "one")))
            #expect(try await api.post("/v1/replies", Payloads.reply(text: "two")).status == 201)
            #expect(try await api.post("/v1/usage", Payloads.usage(reportID: "r-3")).status == 201)
            #expect(try api.lastSeq() == 8)

            let appended = try await scrape(api)
            #expect(appended.value("cloud_connector_outbox_appends_total", ["type": "execution_event"]) == 3)
            #expect(appended.value("cloud_connector_outbox_appends_total", ["type": "usage_report"]) == 3)
            #expect(appended.value("cloud_connector_outbox_appends_total", ["type": "messaging_reply"]) == 2)
            #expect(appended.value("cloud_connector_acked_messages_total") == 0)

            // The cloud acks 3, then seqs this store never assigned (R7): the 5 pending messages move
            // past its ack, and the skipped seqs are neither appends nor acked messages.
            _ = try await api.store.acknowledge(through: 3)
            #expect(try await scrape(api).value("cloud_connector_acked_messages_total") == 3)
            let jump = try await api.store.acknowledge(through: 100)
            #expect(jump.jumpedFrom == 8)
            _ = try await api.store.append(MessageDraft(type: .messagingReply, payload: Payloads.reply(text: "three")))
            let jumped = try await scrape(api)
            #expect(jumped.value("cloud_connector_last_seq") == 106)
            #expect(jumped.value("cloud_connector_acked_seq") == 100)
            #expect(jumped.value("cloud_connector_acked_messages_total") == 3)
            #expect(jumped.value("cloud_connector_outbox_appends_total", ["type": "messaging_reply"]) == 3)
            #expect(jumped.value("cloud_connector_outbox_appends_total", ["type": "execution_event"]) == 3)
            #expect(jumped.value("cloud_connector_outbox_appends_total", ["type": "usage_report"]) == 3)

            _ = try await api.store.acknowledge(through: 106)
            let all = try await scrape(api)
            #expect(all.value("cloud_connector_acked_messages_total") == 9)
            #expect(all.value("cloud_connector_pending_messages") == 0)
        }
    }

    /// Acks per second between two scrapes, on the store's clock; 0 on the first scrape whatever was
    /// acked before it.
    @Test func replayRateIsAcksPerSecondBetweenScrapes() async throws {
        let clock = ManualClock(startMS: 1_795_000_000_000)
        try await withAPI(configure: { $0.clock = clock }) { api in
            for index in 0..<40 {
                _ = try await api.store.append(MessageDraft(
                    type: .executionEvent, payload: Payloads.event(requestID: "req-\(index)", type: "accepted")))
            }
            _ = try await api.store.acknowledge(through: 4)
            let first = try await scrape(api)
            #expect(first.value("cloud_connector_replay_rate_messages_per_second") == 0)
            #expect(first.types["cloud_connector_replay_rate_messages_per_second"] == "gauge")
            #expect(first.value("cloud_connector_acked_messages_total") == 4)

            _ = try await api.store.acknowledge(through: 14)
            clock.advance(milliseconds: 5_000)
            #expect(try await scrape(api).value("cloud_connector_replay_rate_messages_per_second") == 2)

            // Too soon after the last sample to measure: the last rate again, the sample kept.
            _ = try await api.store.acknowledge(through: 38)
            clock.advance(milliseconds: 400)
            #expect(try await scrape(api).value("cloud_connector_replay_rate_messages_per_second") == 2)

            // 24 acks over the 8 s since the kept sample.
            clock.advance(milliseconds: 7_600)
            #expect(try await scrape(api).value("cloud_connector_replay_rate_messages_per_second") == 3)

            // Nothing acked since: the rate drops to 0.
            clock.advance(milliseconds: 10_000)
            #expect(try await scrape(api).value("cloud_connector_replay_rate_messages_per_second") == 0)
        }
    }

    private func scrape(_ api: APIFixture) async throws -> Exposition {
        let response = try await api.send(.get, "/metrics", authorization: "")
        #expect(response.status == 200)
        return try Exposition(response.bodyText)
    }
}

/// A wall clock the test moves by hand: the store's clock is what /metrics measures time with.
final class ManualClock: WallClock {
    private let now: Mutex<Int64>

    init(startMS: Int64) {
        now = Mutex(startMS)
    }

    func nowMilliseconds() -> Int64 {
        now.withLock { $0 }
    }

    func advance(milliseconds: Int64) {
        now.withLock { $0 += milliseconds }
    }
}
