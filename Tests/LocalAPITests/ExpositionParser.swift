/// A strict reader of the Prometheus text format 0.0.4, for checking what /metrics serves: every
/// line must be a HELP, a TYPE or a sample; each family's HELP and TYPE come once, before its
/// samples, which are contiguous; no series appears twice; every value parses.
struct Exposition {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]
    private(set) var samples: [Sample] = []

    struct Invalid: Error, CustomStringConvertible {
        let line: String
        let reason: String
        var description: String { "\(reason): \(line)" }
    }

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Invalid(line: "", reason: "no final line feed") }
        var finished = Set<String>()
        var current: String?
        var seen = Set<String>()
        var sampled = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                guard Self.isMetricName(name) else { throw Invalid(line: line, reason: "bad metric name") }
                let value = String(rest.dropFirst(name.count + 1))
                guard !finished.contains(name), !sampled.contains(name) else {
                    throw Invalid(line: line, reason: "HELP/TYPE after the family's samples")
                }
                if line.hasPrefix("# HELP ") {
                    guard help[name] == nil else { throw Invalid(line: line, reason: "second HELP") }
                    help[name] = value
                } else {
                    guard types[name] == nil else { throw Invalid(line: line, reason: "second TYPE") }
                    guard ["counter", "gauge", "summary", "histogram", "untyped"].contains(value) else {
                        throw Invalid(line: line, reason: "unknown type")
                    }
                    types[name] = value
                }
                if let current, current != name { finished.insert(current) }
                current = name
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            let sample = try Self.sample(line)
            let family = family(of: sample.name)
            guard types[family] != nil else { throw Invalid(line: line, reason: "sample without a TYPE") }
            guard !finished.contains(family) else { throw Invalid(line: line, reason: "family's samples not contiguous") }
            if let current, current != family { finished.insert(current) }
            current = family
            sampled.insert(family)
            let key = sample.name + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard seen.insert(key).inserted else { throw Invalid(line: line, reason: "duplicate series") }
            samples.append(sample)
        }
    }

    /// The family a sample belongs to: histograms and summaries write `_bucket`, `_sum`, `_count`.
    func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    private static func sample(_ line: String) throws -> Sample {
        var chars = Array(line.unicodeScalars)[...]
        let name = String(String.UnicodeScalarView(chars.prefix { $0 != "{" && $0 != " " }))
        guard isMetricName(name) else { throw Invalid(line: line, reason: "bad metric name") }
        chars = chars.dropFirst(name.unicodeScalars.count)
        var labels: [String: String] = [:]
        if chars.first == "{" {
            chars = chars.dropFirst()
            while chars.first != "}" {
                let labelName = String(String.UnicodeScalarView(chars.prefix { $0 != "=" }))
                guard isMetricName(labelName), !labelName.contains(":") else { throw Invalid(line: line, reason: "bad label name") }
                chars = chars.dropFirst(labelName.unicodeScalars.count)
                guard chars.first == "=", chars.dropFirst().first == "\"" else { throw Invalid(line: line, reason: "expected =\"") }
                chars = chars.dropFirst(2)
                var value = String.UnicodeScalarView()
                while let scalar = chars.first, scalar != "\"" {
                    chars = chars.dropFirst()
                    if scalar == "\\" {
                        switch chars.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Invalid(line: line, reason: "bad escape")
                        }
                        chars = chars.dropFirst()
                    } else {
                        guard scalar != "\n" else { throw Invalid(line: line, reason: "raw line feed") }
                        value.append(scalar)
                    }
                }
                guard chars.first == "\"" else { throw Invalid(line: line, reason: "unterminated value") }
                chars = chars.dropFirst()
                guard labels.updateValue(String(value), forKey: labelName) == nil else {
                    throw Invalid(line: line, reason: "repeated label")
                }
                if chars.first == "," { chars = chars.dropFirst() } else if chars.first != "}" {
                    throw Invalid(line: line, reason: "expected , or }")
                }
            }
            chars = chars.dropFirst()
        }
        guard chars.first == " " else { throw Invalid(line: line, reason: "expected a space before the value") }
        let text = String(String.UnicodeScalarView(chars.dropFirst()))
        let value: Double?
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = text.contains(" ") ? nil : Double(text)
        }
        guard let value else { throw Invalid(line: line, reason: "bad value") }
        return Sample(name: name, labels: labels, value: value)
    }
}
