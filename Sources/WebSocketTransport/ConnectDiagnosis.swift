import Foundation

/// lws 4.1 reports every failed TCP connect as "Unable to connect": the socket error is consumed
/// inside lws before any callback runs. To still say why (refused, unreachable, no answer), the
/// same address is tried once more from a short-lived helper thread, never the service thread.
enum ConnectDiagnosis {
    static let probeTimeout: Int32 = 1_000  // milliseconds

    static func isGenericConnectFailure(_ lwsText: String?) -> Bool { lwsText == "Unable to connect" }

    static func describe(_ lwsText: String?) -> String {
        lwsText.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown error"
    }

    /// Calls `completion` with the cause, or nil when the retry connected (the failure was transient).
    static func diagnose(_ endpoint: Endpoint, completion: @escaping @Sendable (String?) -> Void) {
        Thread.detachNewThread { completion(probe(host: endpoint.host, port: endpoint.port)) }
    }

    static func probe(host: String, port: Int) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &results)
        guard lookup == 0, let address = results else {
            return "cannot resolve \(host): \(String(cString: gai_strerror(lookup)))"
        }
        defer { freeaddrinfo(results) }
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return text(errno) }
        var watch = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&watch, 1, probeTimeout) > 0 else { return "no answer within \(probeTimeout) ms" }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0, code != 0 else { return nil }
        return text(code)
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
