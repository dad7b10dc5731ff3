import Foundation

/// Where a cloud URL points, for the reachability checks: scheme, host and port (the scheme's
/// default when the URL names none).
struct CloudHost: Equatable {
    let scheme: String
    let host: String
    let port: Int

    init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return nil }
        self.scheme = scheme
        // URLComponents keeps an IPv6 literal's brackets; getaddrinfo wants the bare address.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (Self.isSecure(scheme: scheme) ? 443 : 80)
    }

    var isSecure: Bool { Self.isSecure(scheme: scheme) }
    var display: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func isSecure(scheme: String) -> Bool { scheme == "wss" || scheme == "https" }
    static func isSecure(_ url: String) -> Bool { CloudHost(url: url)?.isSecure ?? false }

    /// Traffic to these never leaves the machine.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.lowercased()
        return bare == "localhost" || bare.hasSuffix(".localhost") || bare.hasPrefix("127.") || bare == "::1" || bare == "[::1]"
    }
}
