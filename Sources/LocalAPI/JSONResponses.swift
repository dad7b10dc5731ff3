import ConnectorCore
import WebSocketTransport

/// The API's JSON answers. Errors are `{"error": code, "message": text}` plus details: the code is
/// for programs, the message says what was wrong and what to do, for the person reading a log.
extension HTTPServerResponse {
    static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders = [:]) -> HTTPServerResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        // Answers describe the outbox at one instant; a cache must not replay them.
        headers.set(name: "Cache-Control", value: "no-store")
        var body = JSON.encode(value)
        body.append(0x0A)
        return HTTPServerResponse(status: status, headers: headers, body: body)
    }

    static func apiError(
        _ status: Int, _ code: String, _ message: String, details: [(String, JSONValue)] = [], headers: HTTPHeaders = [:]
    ) -> HTTPServerResponse {
        let object = JSONObject([("error", .string(code)), ("message", .string(message))] + details)
        return json(status, .object(object), headers: headers)
    }
}

extension JSONValue {
    static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    static func int(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    static func time(_ milliseconds: Int64?) -> JSONValue {
        milliseconds.map { .string(RFC3339.format(milliseconds: $0)) } ?? .null
    }
}
