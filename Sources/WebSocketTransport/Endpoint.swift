import Foundation

/// A parsed ws/wss/http/https URL, in the pieces lws wants.
struct Endpoint: Sendable, Equatable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path plus `?query`, as sent on the request line.
    var pathAndQuery: String
    /// For logs and errors: scheme, host, port and path, never the query (it may carry secrets).
    var display: String

    /// The Host header value: brackets for IPv6 literals, port only when not the default.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    static func parse(_ text: String, schemes: [String: Bool]) throws(TransportError) -> Endpoint {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased()
        else { throw .invalidURL("cannot parse the URL") }
        guard let secure = schemes[scheme] else {
            let allowed = schemes.keys.sorted().joined(separator: ", ")
            throw .invalidURL("scheme \(scheme) is not one of \(allowed)")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("no host") }
        let port = components.port ?? (secure ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalidURL("port \(port) out of range") }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let query = components.percentEncodedQuery.map { "?\($0)" } ?? ""
        return Endpoint(
            secure: secure, host: host, port: port, pathAndQuery: path + query,
            display: "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)")
    }

    static let webSocketSchemes = ["ws": false, "wss": true]
    static let httpSchemes = ["http": false, "https": true]
}
