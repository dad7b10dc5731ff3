internal import ConnectorCore

/// `GET {api}/device-token`'s answer held to PROTOCOL §3.1: `200 {"token": "…", "expires_in": N}`,
/// `expires_in` optional and in seconds. Texts never contain the token.
enum TokenReview {
    enum Verdict: Equatable {
        /// `expiresIn` is the literal as sent, nil when absent.
        case token(String, expiresIn: String?)
        case refused(status: Int)
        /// Why the answer is not a usable token (follows "GET …/device-token ").
        case invalid(String)
    }

    static func judge(status: Int, body: [UInt8]) -> Verdict {
        guard status == 200 else {
            if status == 401 || status == 403 { return .refused(status: status) }
            return .invalid("answered HTTP \(status); expected 200 with a token")
        }
        guard let value = try? JSON.parse(body), let object = value.objectValue else {
            return .invalid("answered 200 with a body that is not a JSON object; expected {\"token\": \"…\", \"expires_in\": N}")
        }
        guard let token = object["token"]?.stringValue, !token.isEmpty else {
            return .invalid("answered 200 without a non-empty \"token\" string")
        }
        switch object["expires_in"] {
        case nil, .null?:
            return .token(token, expiresIn: nil)
        case .number(let number)? where number.double > 0 && number.double.isFinite:
            return .token(token, expiresIn: number.literal)
        case .number(let number)?:
            return .invalid("answered expires_in \(number.literal); it must be a positive number of seconds when present")
        case let other?:
            return .invalid("answered an expires_in that is not a number (\(kind(of: other))); it must be a positive number of seconds when present")
        }
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
