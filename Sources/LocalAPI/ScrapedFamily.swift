/// A metric family whose values the metrics endpoint computes at scrape time (read from the store),
/// with labels and a type of its own: what `ScrapedGauge` (one unlabelled gauge) cannot say.
struct ScrapedFamily: Sendable {
    struct Sample: Sendable {
        let labels: PrometheusLabels
        let value: Double
    }

    let name: String
    let help: String
    let kind: PrometheusKind
    let samples: [Sample]

    init(_ name: String, _ kind: PrometheusKind, help: String, samples: [Sample]) {
        self.name = PrometheusText.metricName(name)
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// One series without labels.
    init(_ name: String, _ kind: PrometheusKind, help: String, value: Double) {
        self.init(name, kind, help: help, samples: [Sample(labels: PrometheusLabels([]), value: value)])
    }

    /// One series per value of `label`.
    init(_ name: String, _ kind: PrometheusKind, help: String, label: String, values: [(String, Double)]) {
        self.init(
            name, kind, help: help,
            samples: values.map { Sample(labels: PrometheusLabels([(label, $0.0)]), value: $0.1) })
    }

    func render(into output: inout String) {
        guard !samples.isEmpty else { return }
        output += "# HELP \(name) \(PrometheusText.helpText(help))\n"
        output += "# TYPE \(name) \(kind.rawValue)\n"
        for sample in samples.sorted(by: { $0.labels.text() < $1.labels.text() }) {
            output += "\(name)\(sample.labels.text()) \(PrometheusText.number(sample.value))\n"
        }
    }

    /// `registered` (the factory's exposition) with `scraped` merged in, families in name order as the
    /// factory writes them. A scraped family replaces a registered one of the same name, as
    /// `ScrapedGauge` does: the store is the source of truth at this moment.
    ///
    /// The factory starts every family with its `# HELP` line, and escapes line feeds in HELP texts
    /// and label values, so a line starting with `# HELP ` always opens the next family.
    static func exposition(registered: String, adding scraped: [ScrapedFamily]) -> String {
        var families: [String: String] = [:]
        var current: String?
        for line in registered.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let name = String(line.dropFirst(7).prefix { $0 != " " })
                current = name
            }
            guard let current else { continue }
            families[current, default: ""] += line + "\n"
        }
        for family in scraped {
            var text = ""
            family.render(into: &text)
            families[family.name] = text
        }
        return families.keys.sorted().reduce(into: "") { output, name in output += families[name] ?? "" }
    }
}
