/// Texts that end up in logs and status (peer close reasons, cloud error messages, transport
/// errors) come from outside. Before they are kept they lose any copy of a secret the link holds,
/// control characters that could forge log lines, and everything past a readable length.
public enum SafeText {
    public static let maxCharacters = 300

    public static func clean(_ text: String, hiding secrets: [String]) -> String {
        var cleaned = text
        for secret in secrets where !secret.isEmpty {
            cleaned = replacingOccurrences(of: secret, in: cleaned, with: Redaction.placeholder)
        }
        var result = ""
        result.unicodeScalars.reserveCapacity(min(cleaned.unicodeScalars.count, maxCharacters))
        var kept = 0
        for scalar in cleaned.unicodeScalars {
            if kept == maxCharacters {
                result += "…"
                break
            }
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            result.unicodeScalars.append(isControl ? " " : scalar)
            kept += 1
        }
        return result
    }

    /// Foundation-free substring replacement over unicode scalars.
    private static func replacingOccurrences(of needle: String, in haystack: String, with replacement: String) -> String {
        let source = Array(haystack.unicodeScalars)
        let pattern = Array(needle.unicodeScalars)
        guard pattern.count <= source.count else { return haystack }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count && source[index..<(index + pattern.count)].elementsEqual(pattern) {
                output.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(output)
    }

    /// "12.345 s", "500 ms": durations as people read them in status.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return "\(milliseconds / 1000) s" }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(milliseconds / 1000).\(digits) s"
    }
}
