import LocalAPI
import Metrics
import Testing

/// The factory on its own: types, naming, escaping, identity of series. Handlers are created
/// through this factory directly; the global MetricsSystem is never bootstrapped by these tests.
@Suite struct PrometheusFactoryTests {
    @Test func everyHandlerKindRendersWithItsType() throws {
        let factory = PrometheusMetricsFactory()
        Counter(label: "jobs_total", dimensions: [("status", "ok")], factory: factory).increment(by: 2)
        Counter(label: "jobs_total", dimensions: [("status", "ok")], factory: factory).increment()
        Counter(label: "jobs_total", dimensions: [("status", "failed")], factory: factory).increment()
        FloatingPointCounter(label: "cost_total", factory: factory).increment(by: 0.25)
        Gauge(label: "queue_depth", factory: factory).record(7)
        Meter(label: "in_flight", factory: factory).increment(by: 2)
        Recorder(label: "payload_bytes", factory: factory).record(100)
        Recorder(label: "payload_bytes", factory: factory).record(50)
        let timer = Metrics.Timer(label: "append_duration_seconds", factory: factory)
        timer.recordMilliseconds(3)
        timer.recordMilliseconds(300)
        timer.recordSeconds(60)

        let exposition = try Exposition(factory.exposition())
        #expect(exposition.types == [
            "jobs_total": "counter", "cost_total": "counter", "queue_depth": "gauge", "in_flight": "gauge",
            "payload_bytes": "summary", "append_duration_seconds": "histogram",
        ])
        #expect(exposition.value("jobs_total", ["status": "ok"]) == 3)
        #expect(exposition.value("jobs_total", ["status": "failed"]) == 1)
        #expect(exposition.value("cost_total") == 0.25)
        #expect(exposition.value("queue_depth") == 7)
        #expect(exposition.value("in_flight") == 2)
        #expect(exposition.value("payload_bytes_count") == 2)
        #expect(exposition.value("payload_bytes_sum") == 150)
        #expect(exposition.value("append_duration_seconds_bucket", ["le": "0.005"]) == 1)
        #expect(exposition.value("append_duration_seconds_bucket", ["le": "0.25"]) == 1)
        #expect(exposition.value("append_duration_seconds_bucket", ["le": "0.5"]) == 2)
        #expect(exposition.value("append_duration_seconds_bucket", ["le": "10"]) == 2)
        #expect(exposition.value("append_duration_seconds_bucket", ["le": "+Inf"]) == 3)
        #expect(exposition.value("append_duration_seconds_count") == 3)
        #expect(abs((exposition.value("append_duration_seconds_sum") ?? 0) - 60.303) < 1e-9)
    }

    @Test func namesAreSanitisedAndLabelValuesEscaped() throws {
        let factory = PrometheusMetricsFactory()
        Counter(label: "http.requests-total", dimensions: [("route.name", "/v1/usage"), ("9x", "q\"uo\\te")], factory: factory)
            .increment()
        Gauge(label: "7seas", dimensions: [("__reserved", "x"), ("le", "kept")], factory: factory).record(1)
        Metrics.Timer(label: "t", dimensions: [("le", "mine")], factory: factory).recordNanoseconds(1)

        let text = factory.exposition()
        let exposition = try Exposition(text)
        #expect(exposition.value("http_requests_total", ["route_name": "/v1/usage", "_9x": "q\"uo\\te"]) == 1)
        #expect(text.contains(#"_9x="q\"uo\\te""#))
        #expect(exposition.value("_7seas", ["_reserved": "x", "le": "kept"]) == 1)
        // A histogram writes `le` itself: the dimension is renamed instead of clashing.
        #expect(exposition.value("t_bucket", ["_le": "mine", "le": "+Inf"]) == 1)
    }

    @Test func helpTextIsEscapedAndDimensionOrderDoesNotSplitASeries() throws {
        let factory = PrometheusMetricsFactory()
        Counter(label: "a_total", dimensions: [("x", "1"), ("y", "2")], factory: factory).increment()
        Counter(label: "a_total", dimensions: [("y", "2"), ("x", "1")], factory: factory).increment()
        let scraped = ScrapedGauge(name: "s", help: "line one\nback\\slash", value: 4)
        let text = factory.exposition(adding: [scraped])
        let exposition = try Exposition(text)
        #expect(exposition.value("a_total", ["x": "1", "y": "2"]) == 2)
        #expect(text.contains(#"# HELP s line one\nback\\slash"#))
        #expect(exposition.value("s") == 4)
    }

    @Test func aNameRegisteredAsAnotherTypeIsNotExported() throws {
        let factory = PrometheusMetricsFactory()
        Counter(label: "thing", factory: factory).increment(by: 5)
        Gauge(label: "thing", factory: factory).record(100)
        let exposition = try Exposition(factory.exposition())
        #expect(exposition.types["thing"] == "counter")
        #expect(exposition.value("thing") == 5)
    }

    @Test func counterIgnoresNegativeIncrementsAndDestroyRemovesTheSeries() throws {
        let factory = PrometheusMetricsFactory()
        let counter = Counter(label: "c_total", factory: factory)
        counter.increment(by: 4)
        counter.increment(by: -3)
        #expect(try Exposition(factory.exposition()).value("c_total") == 4)
        counter.destroy()
        #expect(try Exposition(factory.exposition()).value("c_total") == nil)
        #expect(factory.exposition().isEmpty)
    }

    @Test func specialValuesAreSpelledAsPrometheusDoes() throws {
        let factory = PrometheusMetricsFactory()
        Gauge(label: "g_inf", factory: factory).record(Double.infinity)
        Gauge(label: "g_nan", factory: factory).record(Double.nan)
        Gauge(label: "g_small", factory: factory).record(0.000125)
        let text = factory.exposition()
        #expect(text.contains("g_inf +Inf\n"))
        #expect(text.contains("g_nan NaN\n"))
        let exposition = try Exposition(text)
        #expect(exposition.value("g_small") == 0.000125)
    }
}
