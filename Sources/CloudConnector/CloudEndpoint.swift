import Foundation

/// Where the cloud is (PROTOCOL §3): the WebSocket URL and the HTTP base for `/device-token`.
/// The configured texts may carry credentials (user info, a token in the query), so output only
/// ever uses the `display` forms.
public struct CloudEndpoint: Sendable, Equatable {
    /// `CLOUD_WS_URL` as configured.
    public let webSocketURL: String
    /// `CLOUD_API_URL` when set, else derived from the WebSocket URL (ws→http, wss→https, same host
    /// and port, empty path).
    public let apiURL: String
    public let apiURLIsDerived: Bool

    public var displayWebSocketURL: String { Self.display(webSocketURL) }
    public var displayAPIURL: String { Self.display(apiURL) }

    /// nil when `CLOUD_WS_URL` is unset or empty: standalone mode (R14).
    public static func parse(environment: [String: String]) throws(ConfigurationError) -> CloudEndpoint? {
        guard let ws = environment["CLOUD_WS_URL"], !ws.isEmpty else { return nil }
        let wsParts = try parts(ws, name: "CLOUD_WS_URL", schemes: ["ws", "wss"])
        if let api = environment["CLOUD_API_URL"], !api.isEmpty {
            _ = try parts(api, name: "CLOUD_API_URL", schemes: ["http", "https"])
            return CloudEndpoint(webSocketURL: ws, apiURL: api, apiURLIsDerived: false)
        }
        var derived = URLComponents()
        // Schemes are case-insensitive (RFC 3986): WSS:// must still fetch its token over https.
        derived.scheme = wsParts.scheme?.lowercased() == "wss" ? "https" : "http"
        derived.host = wsParts.host
        derived.port = wsParts.port
        let api = derived.string ?? "\(derived.scheme ?? "http")://\(wsParts.host ?? "")"
        return CloudEndpoint(webSocketURL: ws, apiURL: api, apiURLIsDerived: true)
    }

    private static func parts(_ text: String, name: String, schemes: [String]) throws(ConfigurationError) -> URLComponents {
        let expected = schemes.map { "\($0)://" }.joined(separator: " or ")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .invalid(name, "is not a URL (expected \(expected)host[:port][/path]). Fix it, or unset it to run standalone.")
        }
        guard schemes.contains(scheme) else {
            throw .invalid(name, "must start with \(expected), not \(scheme)://. Fix it, or unset it to run standalone.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalid(name, "has no host (expected \(expected)host[:port][/path]).")
        }
        return components
    }

    /// scheme://host[:port]/path with user info and query replaced by "[redacted]": enough to see
    /// which cloud is meant, never a credential.
    static func display(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "[unparseable URL]" }
        let hadUserInfo = components.user != nil || components.password != nil
        components.user = nil
        components.password = nil
        let hadQuery = components.query != nil
        components.query = nil
        components.fragment = nil
        var shown = components.string ?? "[unparseable URL]"
        if hadUserInfo, let schemeEnd = shown.range(of: "://") {
            shown.insert(contentsOf: "[redacted]@", at: schemeEnd.upperBound)
        }
        if hadQuery { shown += "?[redacted]" }
        return shown
    }
}
