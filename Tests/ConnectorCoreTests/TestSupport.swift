import ConnectorCore

/// The error `JSON.parse` throws for `text`, or nil when it parses.
func parseError(_ text: String, maxDepth: Int = JSON.defaultMaxDepth) -> JSONParseError? {
    do {
        _ = try JSON.parse(text, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

func parseError(bytes: [UInt8]) -> JSONParseError? {
    do {
        _ = try JSON.parse(bytes)
        return nil
    } catch {
        return error
    }
}

func encodedText(_ value: JSONValue) -> String {
    String(decoding: JSON.encode(value), as: UTF8.self)
}

/// Property tests replay identically on every run.
typealias SeededGenerator = SplitMix64
