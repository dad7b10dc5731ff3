import ConnectorCore
import Testing

/// `root` with the member at `path` replaced (nil removes it); intermediate objects must exist.
func setting(_ value: JSONValue?, at path: [String], in root: JSONValue) -> JSONValue {
    guard let key = path.first, var object = root.objectValue else { return value ?? .null }
    if path.count == 1 {
        object[key] = value
    } else {
        object[key] = setting(value, at: Array(path.dropFirst()), in: object[key] ?? .null)
    }
    return .object(object)
}

func validationError(_ type: OutboxMessageType, _ payload: JSONValue) -> PayloadError? {
    do {
        _ = try OutboxPayload.validate(type: type, payload: payload)
        return nil
    } catch {
        return error
    }
}

/// A rejection case: the change made to a valid payload and the error it must produce.
struct Rejection: Sendable, CustomTestStringConvertible {
    let path: [String]
    let value: JSONValue?
    let expected: String

    init(_ path: String, _ value: JSONValue?, _ expected: String) {
        self.path = path.split(separator: ".").map(String.init)
        self.value = value
        self.expected = expected
    }

    var testDescription: String { "\(path.joined(separator: ".")) = \(value?.description ?? "absent")" }
}

let timestamp: JSONValue = "2026-11-24T10:00:00.123Z"
let timestampMS: Int64 = 1_795_514_400_123
let tooLongIdentifier = JSONValue.string(String(repeating: "x", count: 257))
let longestIdentifier = JSONValue.string(String(repeating: "é", count: 128))
