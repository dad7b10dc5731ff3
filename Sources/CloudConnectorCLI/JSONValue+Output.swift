import ConnectorCore

/// Shorthands for building the --json documents.
extension JSONValue {
    static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    static func int(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }
    static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    static func int(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
    /// An instant as RFC 3339 UTC with milliseconds, the protocol's own format.
    static func time(_ milliseconds: Int64) -> JSONValue { .string(RFC3339.format(milliseconds: milliseconds)) }
    static func time(_ milliseconds: Int64?) -> JSONValue { milliseconds.map { .time($0) } ?? .null }
}

extension Console {
    /// One pretty-printed JSON document: what every command's --json prints (except inspect).
    static func out(json: JSONValue) {
        out(JSON.encodePretty(json))
    }
}
