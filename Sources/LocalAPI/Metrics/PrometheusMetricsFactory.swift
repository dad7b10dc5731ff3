public import Logging
public import Metrics
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and renders them as Prometheus text
/// (exposition format 0.0.4) for `GET /metrics`. In-house because it is small and the project
/// avoids dependencies it can write in a page.
///
/// `cloud-connector run` creates one and passes it to `MetricsSystem.bootstrap` and to the local
/// API; tests construct their own and create handlers through it (`Counter(label:factory:)`),
/// because the global bootstrap may only happen once per process.
///
/// The same label and dimensions always return the same handler, so every `Counter(label: "x")`
/// created anywhere adds to one series. A label already registered as another type (a counter and
/// a gauge both called `x`) would make the exposition invalid: the later one gets a handler that
/// records into nothing, and a warning says so.
public final class PrometheusMetricsFactory: MetricsFactory {
    public static let contentType = PrometheusText.contentType

    private struct Family {
        var kind: PrometheusKind
        var help: String
        var series: [PrometheusLabels: any PrometheusSeries] = [:]
    }

    private struct Registry {
        var families: [String: Family] = [:]
        var warnedNames: Set<String> = []
    }

    private let registry = Mutex(Registry())
    private let logger: Logger

    public init(logger: Logger = Logger(label: "cloud-connector.metrics")) {
        self.logger = logger
    }

    /// Makes this factory the process-wide swift-metrics backend, so every `Counter(label:)` etc.
    /// anywhere in the process lands in `/metrics`. swift-metrics allows this once per process (a
    /// second call traps): `cloud-connector run` calls it, tests never do. Here rather than in the
    /// caller so the CLI needs no Metrics import of its own.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(self)
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        register(label, dimensions, kind: .counter, PrometheusCounter.init)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        register(label, dimensions, kind: .counter, PrometheusFloatingPointCounter.init)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        aggregate
            ? register(label, dimensions, kind: .summary, PrometheusSummary.init)
            : register(label, dimensions, kind: .gauge, PrometheusGauge.init)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        register(label, dimensions, kind: .gauge, PrometheusGauge.init)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        register(label, dimensions, kind: .histogram, PrometheusHistogram.init)
    }

    public func destroyCounter(_ handler: any CounterHandler) { remove(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { remove(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { remove(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { remove(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { remove(handler) }

    // MARK: exposition

    /// Every registered metric, plus `scraped` gauges computed by the caller at scrape time. A scraped
    /// gauge replaces a registered family of the same name: it is read from the source of truth (the
    /// store) at this moment, while a registered one may lag or come from another component's view.
    public func exposition(adding scraped: [ScrapedGauge] = []) -> String {
        var families = registry.withLock { $0.families }
        for gauge in scraped {
            families[gauge.name] = Family(kind: .gauge, help: gauge.help, series: [PrometheusLabels([]): gauge.handler])
        }
        var output = ""
        for name in families.keys.sorted() {
            guard let family = families[name], !family.series.isEmpty else { continue }
            output += "# HELP \(name) \(PrometheusText.helpText(family.help))\n"
            output += "# TYPE \(name) \(family.kind.rawValue)\n"
            for labels in family.series.keys.sorted(by: { $0.text() < $1.text() }) {
                family.series[labels]?.render(name: name, labels: labels, into: &output)
            }
        }
        return output
    }

    // MARK: registry

    private func register<Handler: PrometheusSeries>(
        _ label: String, _ dimensions: [(String, String)], kind: PrometheusKind, _ make: () -> Handler
    ) -> Handler {
        let name = PrometheusText.metricName(label)
        let labels = PrometheusLabels(dimensions, reserved: kind.reservedLabel)
        let outcome = registry.withLock { registry -> (Handler, conflict: String?) in
            var family = registry.families[name] ?? Family(kind: kind, help: Self.help(label))
            guard family.kind == kind else {
                return (make(), registry.warnedNames.insert(name).inserted ? family.kind.rawValue : nil)
            }
            if let existing = family.series[labels] {
                if let same = existing as? Handler { return (same, nil) }
                return (make(), registry.warnedNames.insert(name).inserted ? "another \(kind.rawValue) handler" : nil)
            }
            let handler = make()
            family.series[labels] = handler
            registry.families[name] = family
            return (handler, nil)
        }
        if let existing = outcome.conflict {
            logger.warning(
                "a metric name is already registered as another type; this one is not exported",
                metadata: ["metric.name": "\(name)", "metric.type": "\(kind.rawValue)", "metric.registered_as": "\(existing)"])
        }
        return outcome.0
    }

    private func remove(_ handler: AnyObject) {
        registry.withLock { registry in
            for (name, family) in registry.families {
                guard let labels = family.series.first(where: { $0.value === handler })?.key else { continue }
                registry.families[name]?.series[labels] = nil
                return
            }
        }
    }

    /// swift-metrics has no descriptions: the HELP line names the label the code used.
    private static func help(_ label: String) -> String {
        "\(label) (recorded through swift-metrics)"
    }
}

/// A gauge whose value the scraper supplies at scrape time (e.g. read from the store).
public struct ScrapedGauge: Sendable {
    public let name: String
    public let help: String
    fileprivate let handler: PrometheusGauge

    public init(name: String, help: String, value: Double) {
        self.name = PrometheusText.metricName(name)
        self.help = help
        handler = PrometheusGauge()
        handler.set(value)
    }
}
