/// A series' labels, sanitised and sorted by name so the same dimensions given in another order name
/// the same series (a family must never show one series twice).
struct PrometheusLabels: Sendable, Hashable {
    let pairs: [Pair]

    struct Pair: Sendable, Hashable {
        let name: String
        let value: String
    }

    /// `reserved` names a label the family's type writes itself (`le` for histograms, `quantile` for
    /// summaries): a dimension of that name is renamed rather than allowed to break the series.
    init(_ dimensions: [(String, String)], reserved: String? = nil) {
        var seen = Set<String>()
        var pairs: [Pair] = []
        for (name, value) in dimensions {
            var sanitised = PrometheusText.labelName(name)
            if sanitised == reserved { sanitised = "_" + sanitised }
            // A repeated name would make the line unparsable; the first one given wins.
            guard seen.insert(sanitised).inserted else { continue }
            pairs.append(Pair(name: sanitised, value: value))
        }
        self.pairs = pairs.sorted { $0.name < $1.name }
    }

    /// `{a="1",b="2"}`, with `extra` (e.g. `le`) last; empty when there are no labels at all.
    func text(adding extra: Pair? = nil) -> String {
        let all = extra.map { pairs + [$0] } ?? pairs
        guard !all.isEmpty else { return "" }
        return "{" + all.map { "\($0.name)=\"\(PrometheusText.labelValue($0.value))\"" }.joined(separator: ",") + "}"
    }
}
