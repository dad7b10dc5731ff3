import ConnectorCore

/// Keeps each payload field that a typed column already holds out of the stored JSON, and puts it
/// back on read, byte for byte.
///
/// Stored payloads are always our own canonical encoding (`JSON.encode`), which is deterministic and
/// round-trips exactly through `JSON.parse`, so re-inserting the fields at their recorded positions
/// and encoding again gives the very bytes that were appended (R2: the same payload on every
/// resend). The ids and timestamps this removes are the least compressible part of a message.
///
/// `layout` packs, per field, its position in the top-level object plus one (0 = not stripped) in
/// four bits: request_id, the natural key (event_id/report_id), timestamp, event_type.
struct PayloadLayout: Equatable {
    var layout: Int64

    static let none = PayloadLayout(layout: 0)

    enum Field: Int, CaseIterable {
        case requestID = 0, naturalKey, timestamp, eventType
    }

    /// The typed values a row holds, from which the stripped fields are rebuilt.
    struct Columns {
        var requestID: String
        var naturalKey: String?
        var eventAtMS: Int64
        var eventType: String?
    }

    static func key(_ field: Field, type: OutboxMessageType) -> String? {
        switch field {
        case .requestID: return "request_id"
        case .naturalKey: return type == .executionEvent ? "event_id" : (type == .usageReport ? "report_id" : nil)
        case .timestamp: return "timestamp"
        case .eventType: return type == .executionEvent ? "event_type" : nil
        }
    }

    static func value(_ field: Field, _ columns: Columns) -> JSONValue? {
        switch field {
        case .requestID: return .string(columns.requestID)
        case .naturalKey: return columns.naturalKey.map(JSONValue.string)
        case .timestamp: return .string(RFC3339.format(milliseconds: columns.eventAtMS))
        case .eventType: return columns.eventType.map(JSONValue.string)
        }
    }

    /// Splits `payload` into the object to store and its layout. A field is stripped only when the
    /// column rebuilds exactly the same JSON value (a timestamp written with an offset stays).
    static func strip(_ payload: JSONValue, type: OutboxMessageType, columns: Columns) -> (JSONValue, PayloadLayout) {
        guard case .object(let object) = payload else { return (payload, .none) }
        var entries = Array(object).map { ($0.key, $0.value) }
        var layout: Int64 = 0
        for field in Field.allCases.reversed() {
            guard let key = key(field, type: type), let expected = value(field, columns),
                let index = entries.firstIndex(where: { $0.0 == key }), index < 15, entries[index].1 == expected
            else { continue }
            layout |= Int64(index + 1) << (4 * Int64(field.rawValue))
        }
        guard layout != 0 else { return (payload, .none) }
        let stripped = Field.allCases.compactMap { field -> Int? in
            let position = Int((layout >> (4 * Int64(field.rawValue))) & 0xF)
            return position == 0 ? nil : position - 1
        }
        for index in stripped.sorted(by: >) { entries.remove(at: index) }
        return (.object(JSONObject(entries)), PayloadLayout(layout: layout))
    }

    /// Rebuilds the appended payload bytes from the stored JSON and the row's columns.
    func restore(_ stored: [UInt8], type: OutboxMessageType, columns: Columns) throws -> [UInt8] {
        guard layout != 0 else { return stored }
        return JSON.encode(try restoreValue(stored, type: type, columns: columns))
    }

    /// The appended payload as a JSON value (what validation wants, without encoding it again).
    func restoreValue(_ stored: [UInt8], type: OutboxMessageType, columns: Columns) throws -> JSONValue {
        let parsed = try JSON.parse(stored)
        guard layout != 0 else { return parsed }
        guard case .object(let object) = parsed else {
            throw OutboxError.corrupt(path: "", detail: "a stripped payload is not a JSON object")
        }
        var entries = Array(object).map { ($0.key, $0.value) }
        var fields: [(position: Int, key: String, value: JSONValue)] = []
        for field in Field.allCases {
            let position = Int((layout >> (4 * Int64(field.rawValue))) & 0xF)
            guard position > 0 else { continue }
            guard let key = Self.key(field, type: type), let value = Self.value(field, columns) else {
                throw OutboxError.corrupt(path: "", detail: "payload layout \(layout) names a field a \(type.rawValue) lacks")
            }
            fields.append((position - 1, key, value))
        }
        for field in fields.sorted(by: { $0.position < $1.position }) {
            guard field.position <= entries.count else {
                throw OutboxError.corrupt(path: "", detail: "payload layout \(layout) does not fit the stored payload")
            }
            entries.insert((field.key, field.value), at: field.position)
        }
        return .object(JSONObject(entries))
    }
}
