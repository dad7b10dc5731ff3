import ConnectorCore
import Foundation

/// A hand-written picture of one JSON object as PROTOCOL §4 describes it: which keys exist, which are
/// required, and the JSON type of each. `problems(in:)` lists every way a value differs, so a failing
/// golden test says exactly which key is wrong instead of "not equal".
struct Shape: Sendable {
    indirect enum Kind: Sendable {
        case string
        /// A string that is an RFC 3339 UTC time ("…Z" or "+00:00").
        case utcTime
        /// One of these strings.
        case oneOf(Set<String>)
        /// A JSON number without fraction or exponent.
        case integer
        case number
        case bool
        /// Any object (free-form, e.g. `inputs`).
        case anyObject
        case object(Shape)
        case array(of: Shape)
    }

    struct Field: Sendable {
        var kind: Kind
        var required: Bool
    }

    var fields: [String: Field]

    /// `required` and `optional` map keys to kinds; no other key is allowed.
    init(required: [String: Kind] = [:], optional: [String: Kind] = [:]) {
        var fields: [String: Field] = [:]
        for (key, kind) in required { fields[key] = Field(kind: kind, required: true) }
        for (key, kind) in optional { fields[key] = Field(kind: kind, required: false) }
        self.fields = fields
    }

    func problems(in value: JSONValue, at path: String = "payload") -> [String] {
        guard let object = value.objectValue else { return ["\(path) is not an object"] }
        var found: [String] = []
        for key in object.keys where fields[key] == nil { found.append("\(path).\(key) is not in the protocol") }
        for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
            guard let member = object[key] else {
                if field.required { found.append("\(path).\(key) is missing") }
                continue
            }
            found += Self.problems(member, field.kind, at: "\(path).\(key)")
        }
        return found
    }

    private static func problems(_ value: JSONValue, _ kind: Kind, at path: String) -> [String] {
        switch kind {
        case .string:
            return value.stringValue == nil ? ["\(path) is not a string"] : []
        case .utcTime:
            guard let text = value.stringValue else { return ["\(path) is not a string"] }
            return isUTCTime(text) ? [] : ["\(path) \"\(text)\" is not an RFC 3339 UTC time"]
        case .oneOf(let allowed):
            guard let text = value.stringValue, allowed.contains(text) else {
                return ["\(path) is not one of \(allowed.sorted())"]
            }
            return []
        case .integer:
            return value.numberValue?.int64 == nil ? ["\(path) is not an integer"] : []
        case .number:
            return value.numberValue == nil ? ["\(path) is not a number"] : []
        case .bool:
            return value.boolValue == nil ? ["\(path) is not a boolean"] : []
        case .anyObject:
            return value.objectValue == nil ? ["\(path) is not an object"] : []
        case .object(let shape):
            return shape.problems(in: value, at: path)
        case .array(let shape):
            guard let items = value.arrayValue else { return ["\(path) is not an array"] }
            return items.enumerated().flatMap { shape.problems(in: $0.element, at: "\(path)[\($0.offset)]") }
        }
    }

    /// RFC 3339 with a UTC designator; the parser checks the calendar, this checks "UTC".
    static func isUTCTime(_ text: String) -> Bool {
        RFC3339.parseMilliseconds(text) != nil && (text.hasSuffix("Z") || text.hasSuffix("z") || text.hasSuffix("+00:00"))
    }
}

/// PROTOCOL §2 for a cloud → device frame: exactly `type`, `id`, `ts`, `payload` (no `seq`: only
/// device outbox messages carry one), `id` a UUID, `ts` RFC 3339 UTC, then the payload's own shape.
func envelopeProblems(_ frame: JSONValue, type: String, payload shape: Shape) -> [String] {
    guard let object = frame.objectValue else { return ["frame is not an object"] }
    var found: [String] = []
    let envelopeKeys: Set<String> = ["type", "id", "ts", "payload"]
    for key in object.keys where !envelopeKeys.contains(key) { found.append("envelope has \"\(key)\"") }
    if frame["type"]?.stringValue != type { found.append("type is not \"\(type)\"") }
    if UUID(uuidString: frame["id"]?.stringValue ?? "") == nil { found.append("id is not a UUID text") }
    if !Shape.isUTCTime(frame["ts"]?.stringValue ?? "") { found.append("ts is not an RFC 3339 UTC time") }
    if let payload = frame["payload"] { found += shape.problems(in: payload) } else { found.append("payload is missing") }
    return found
}
