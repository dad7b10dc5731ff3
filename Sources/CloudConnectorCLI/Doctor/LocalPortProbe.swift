import Foundation

/// Whether `run` could listen on the local API's address: binds it once (with SO_REUSEADDR, as the
/// server does) and lets go at once.
enum LocalPortProbe {
    enum Outcome: Equatable {
        case free
        case inUse
        /// The address cannot be used at all (not this machine's, no permission for the port, …).
        case unusable(String)
    }

    static func probe(host: String, port: Int) -> Outcome {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &results)
        guard lookup == 0, let first = results else {
            return .unusable("\(host) cannot be resolved (\(String(cString: gai_strerror(lookup))))")
        }
        defer { freeaddrinfo(results) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return .unusable("no socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return .free }
        let code = errno
        if code == EADDRINUSE { return .inUse }
        return .unusable(String(cString: strerror(code)).lowercased())
    }
}
