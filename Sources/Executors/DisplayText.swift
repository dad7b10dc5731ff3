import ConnectorCore

/// Text from a handler (stderr, a bad output line, a name) shown inside an error message that goes
/// to the cloud and to logs: control and format characters become spaces (no terminal escapes, no
/// bidi tricks, no forged log lines), runs of whitespace collapse, and the length is bounded.
enum DisplayText {
    /// The first `limit` characters of the cleaned text, "…" marking a cut.
    static func head(_ text: String, limit: Int) -> String {
        let clean = cleaned(text)
        guard clean.count > limit else { return clean }
        return String(clean.prefix(limit)) + "…"
    }

    /// The last `limit` characters of the cleaned text, "…" marking a cut. For stderr, where the
    /// cause of a failure is usually at the end.
    static func tail(_ text: String, limit: Int) -> String {
        let clean = cleaned(text)
        guard clean.count > limit else { return clean }
        return "…" + String(clean.suffix(limit))
    }

    static func head(_ bytes: some Collection<UInt8>, limit: Int) -> String {
        // Decode only a bounded prefix: a 1 MiB line needs no full decode for an 80-character excerpt.
        head(String(decoding: bytes.prefix(limit * 4 + 4), as: UTF8.self), limit: limit)
    }

    /// A name as it would appear in JSON, quoted and escaped, bounded.
    static func quoted(_ name: String, limit: Int = 64) -> String {
        let shown = name.count > limit ? String(name.prefix(limit)) + "…" : name
        return JSONValue.string(shown).description
    }

    private static func cleaned(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var lastWasSpace = true  // drops leading whitespace
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            let isSpace = category == .control || category == .format || scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { result.append(" ") }
                lastWasSpace = true
            } else {
                result.append(scalar)
                lastWasSpace = false
            }
        }
        var string = String(result)
        if string.last == " " { string.removeLast() }
        return string
    }
}
