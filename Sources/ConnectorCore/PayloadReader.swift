/// Typed access to one JSON object of a payload, where every failure names the exact field.
/// Absent and null are the same for every field here: "Absent optional fields may also be JSON null".
struct PayloadReader {
    let object: JSONObject
    let path: String

    /// `value` must be an object; `path` names it in errors ("payload", "payload.metrics", ...).
    init(_ value: JSONValue?, path: String) throws(PayloadError) {
        guard let value, !value.isNull else { throw PayloadError(path: path, reason: "is required") }
        guard let object = value.objectValue else { throw PayloadError(path: path, reason: "must be an object") }
        self.object = object
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path + "." + key }

    func failure(_ key: String, _ reason: String) -> PayloadError {
        PayloadError(path: fieldPath(key), reason: reason)
    }

    /// The member, treating null as absent.
    func optional(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func required(_ key: String) throws(PayloadError) -> JSONValue {
        guard let value = optional(key) else { throw failure(key, "is required") }
        return value
    }

    func object(_ key: String) throws(PayloadError) -> PayloadReader {
        try PayloadReader(object[key], path: fieldPath(key))
    }

    func optionalObject(_ key: String) throws(PayloadError) -> PayloadReader? {
        guard optional(key) != nil else { return nil }
        return try object(key)
    }

    func string(_ key: String) throws(PayloadError) -> String {
        guard let text = try required(key).stringValue else { throw failure(key, "must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(PayloadError) -> String? {
        guard optional(key) != nil else { return nil }
        return try string(key)
    }

    /// A non-empty string of at most `maxBytes` UTF-8 bytes.
    func boundedString(_ key: String, maxBytes: Int) throws(PayloadError) -> String {
        let text = try string(key)
        guard !text.isEmpty else { throw failure(key, "must be a non-empty string") }
        guard text.utf8.count <= maxBytes else { throw failure(key, "must be at most \(maxBytes) UTF-8 bytes") }
        return text
    }

    func nonEmptyString(_ key: String) throws(PayloadError) -> String {
        try boundedString(key, maxBytes: Int.max)
    }

    /// One of the protocol's identifier fields (event_id, request_id, tenant_id, ...).
    func identifier(_ key: String) throws(PayloadError) -> String {
        try boundedString(key, maxBytes: OutboxPayload.maxIdentifierBytes)
    }

    func bool(_ key: String) throws(PayloadError) -> Bool {
        guard let flag = try required(key).boolValue else { throw failure(key, "must be true or false") }
        return flag
    }

    func number(_ key: String) throws(PayloadError) -> JSONNumber {
        guard let number = try required(key).numberValue else { throw failure(key, "must be a number") }
        return number
    }

    /// Counters and durations: "3", "3.0" and "3e0" all count; "3.5" and "-1" do not.
    func nonNegativeWholeNumber(_ key: String) throws(PayloadError) -> Int64 {
        let value = try required(key)
        guard let whole = value.numberValue?.wholeNumber, whole >= 0 else {
            throw failure(key, "must be a non-negative whole number")
        }
        return whole
    }

    func timestamp(_ key: String) throws(PayloadError) -> Int64 {
        let text = try string(key)
        guard let milliseconds = RFC3339.parseMilliseconds(text) else {
            throw failure(key, "must be an RFC 3339 time")
        }
        return milliseconds
    }

    func oneOf<Choice: RawRepresentable & CaseIterable>(
        _ key: String, as type: Choice.Type
    ) throws(PayloadError) -> Choice where Choice.RawValue == String {
        let text = try string(key)
        guard let choice = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure(key, "must be one of " + names)
        }
        return choice
    }
}
