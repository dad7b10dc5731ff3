/// Hides secrets before a payload is logged or exported. Matching is by key name because the
/// protocol puts credentials in well-known fields (reply_token, token, ...), at any depth.
public enum Redaction {
    /// Lower-case; keys are compared case-insensitively ("Authorization" is redacted too).
    public static let secretKeys: Set<String> = [
        "token", "reply_token", "api_key", "authorization", "local_token", "access_token",
        "refresh_token", "password", "secret",
    ]

    public static let placeholder = "[redacted]"

    /// Replaces the value of every object member whose key is in `secretKeys`, at any depth and
    /// inside arrays, keeping key order. Whole values are replaced, even objects and arrays.
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(redact))
        case .object(let object):
            var redacted = JSONObject()
            for (key, member) in object {
                redacted[key] = isSecret(key) ? .string(placeholder) : redact(member)
            }
            return .object(redacted)
        case .null, .bool, .number, .string:
            return value
        }
    }

    static func isSecret(_ key: String) -> Bool {
        secretKeys.contains(key) || secretKeys.contains(key.lowercased())
    }
}
