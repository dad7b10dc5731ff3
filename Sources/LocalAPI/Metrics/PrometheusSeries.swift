/// One registered series: it renders its own sample lines at scrape time, under its own lock, so
/// recording never waits for a scrape and a scrape never holds the registry's lock while rendering.
protocol PrometheusSeries: AnyObject, Sendable {
    func render(name: String, labels: PrometheusLabels, into output: inout String)
}

/// The TYPE a family declares. Two handler kinds that share one (Counter and FloatingPointCounter,
/// Gauge and Meter) may share a family, but never a series.
enum PrometheusKind: String, Sendable {
    case counter, gauge, summary, histogram

    /// The label this type writes itself, which a dimension must not take.
    var reservedLabel: String? {
        switch self {
        case .histogram: "le"
        case .summary: "quantile"
        case .counter, .gauge: nil
        }
    }
}
