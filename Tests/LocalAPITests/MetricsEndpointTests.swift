import ConnectorCore
import Metrics
import OutboxStore
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
            let exposition = try Exposition(try await api.send(.get, "/metrics", authorization: "").bodyText)
            #expect(exposition.value("cloud_connector_link_up") == 0)
            #expect(exposition.value("cloud_connector_pending_messages") == 0)
        }
    }
}
