/// The text exposition format's rules (Prometheus 0.0.4): which names are valid, how label values
/// and HELP texts are escaped, how numbers are written. swift-metrics labels are free text, so
/// every one passes through here before it reaches a scrape.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`: anything else becomes `_`, and a leading digit gets a `_` before it.
    static func metricName(_ label: String) -> String {
        sanitize(label, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved for Prometheus itself).
    static func labelName(_ name: String) -> String {
        var result = sanitize(name, allowColon: false)
        while result.hasPrefix("__") { result.removeFirst() }
        return result
    }

    private static func sanitize(_ text: String, allowColon: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "_" || (allowColon && scalar == ":")
            scalars.append(ok ? scalar : "_")
        }
        if let first = scalars.first, first >= "0" && first <= "9" { scalars.insert("_", at: scalars.startIndex) }
        if scalars.isEmpty { scalars.append("_") }
        return String(scalars)
    }

    /// Inside `label="…"`: backslash, double quote and line feed are escaped.
    static func labelValue(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// After `# HELP name`: backslash and line feed are escaped (quotes are not).
    static func helpText(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Whole numbers without a fraction (seqs and counts stay readable and exact), the special values
    /// as Prometheus spells them, everything else as Swift's shortest round-tripping form.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(.towardZero), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }

    static func number(_ value: Int64) -> String { String(value) }
}
