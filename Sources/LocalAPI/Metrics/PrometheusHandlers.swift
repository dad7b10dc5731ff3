import Metrics
import Synchronization

/// A swift-metrics `Counter`: a monotonically increasing integer.
final class PrometheusCounter: CounterHandler, PrometheusSeries {
    private let value = Atomic<Int64>(0)

    func increment(by amount: Int64) {
        // A counter never goes down (a negative increment would read as a reset to rate()).
        guard amount > 0 else { return }
        value.wrappingAdd(amount, ordering: .relaxed)
    }

    func reset() { value.store(0, ordering: .relaxed) }

    func render(name: String, labels: PrometheusLabels, into output: inout String) {
        output += "\(name)\(labels.text()) \(PrometheusText.number(value.load(ordering: .relaxed)))\n"
    }
}

/// A swift-metrics `FloatingPointCounter`.
final class PrometheusFloatingPointCounter: FloatingPointCounterHandler, PrometheusSeries {
    private let value = Mutex<Double>(0)

    func increment(by amount: Double) {
        guard amount > 0, amount.isFinite else { return }
        value.withLock { $0 += amount }
    }

    func reset() { value.withLock { $0 = 0 } }

    func render(name: String, labels: PrometheusLabels, into output: inout String) {
        output += "\(name)\(labels.text()) \(PrometheusText.number(value.withLock { $0 }))\n"
    }
}

/// A swift-metrics `Gauge` (a recorder that keeps only the last value) or `Meter`.
final class PrometheusGauge: RecorderHandler, MeterHandler, PrometheusSeries {
    private let value = Mutex<Double>(0)

    func record(_ value: Int64) { set(Double(value)) }
    func record(_ value: Double) { set(value) }
    func set(_ value: Int64) { set(Double(value)) }
    func set(_ value: Double) { self.value.withLock { $0 = value } }
    func increment(by amount: Double) { value.withLock { $0 += amount } }
    func decrement(by amount: Double) { value.withLock { $0 -= amount } }

    func render(name: String, labels: PrometheusLabels, into output: inout String) {
        output += "\(name)\(labels.text()) \(PrometheusText.number(value.withLock { $0 }))\n"
    }
}

/// An aggregating swift-metrics `Recorder`, as a summary of count and sum only: correct for any
/// unit, cheap, and enough for rate(sum)/rate(count) averages. (Quantiles are optional in a summary;
/// computing them would need a sketch, and they cannot be aggregated across processes anyway.)
final class PrometheusSummary: RecorderHandler, PrometheusSeries {
    private let state = Mutex<(count: Int64, sum: Double)>((0, 0))

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        guard value.isFinite else { return }
        state.withLock {
            $0.count += 1
            $0.sum += value
        }
    }

    func render(name: String, labels: PrometheusLabels, into output: inout String) {
        let (count, sum) = state.withLock { $0 }
        output += "\(name)_sum\(labels.text()) \(PrometheusText.number(sum))\n"
        output += "\(name)_count\(labels.text()) \(PrometheusText.number(count))\n"
    }
}

/// A swift-metrics `Timer`, as a histogram in seconds (Prometheus' base unit) over the client
/// libraries' default buckets: 5 ms to 10 s, which covers an fsynced append as well as an HTTP call.
final class PrometheusHistogram: TimerHandler, PrometheusSeries {
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct State {
        var buckets = [Int64](repeating: 0, count: PrometheusHistogram.bounds.count)
        var count: Int64 = 0
        var sum: Double = 0
    }

    private let state = Mutex(State())

    func recordNanoseconds(_ duration: Int64) {
        let seconds = Double(max(duration, 0)) / 1e9
        state.withLock { state in
            // Stored per bucket and summed at render time into the cumulative counts the format wants.
            if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { state.buckets[index] += 1 }
            state.count += 1
            state.sum += seconds
        }
    }

    func render(name: String, labels: PrometheusLabels, into output: inout String) {
        let snapshot = state.withLock { $0 }
        var cumulative: Int64 = 0
        for (bound, count) in zip(Self.bounds, snapshot.buckets) {
            cumulative += count
            let le = PrometheusLabels.Pair(name: "le", value: PrometheusText.number(bound))
            output += "\(name)_bucket\(labels.text(adding: le)) \(cumulative)\n"
        }
        let infinity = PrometheusLabels.Pair(name: "le", value: "+Inf")
        output += "\(name)_bucket\(labels.text(adding: infinity)) \(snapshot.count)\n"
        output += "\(name)_sum\(labels.text()) \(PrometheusText.number(snapshot.sum))\n"
        output += "\(name)_count\(labels.text()) \(snapshot.count)\n"
    }
}
