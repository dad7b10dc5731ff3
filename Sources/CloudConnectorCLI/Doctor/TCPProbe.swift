import CloudConnector
import Foundation
import Synchronization

/// DNS and one TCP connection to a cloud host, on a thread of its own (the calls block): the first
/// question when nothing works is whether the host can be reached at all, and why not.
enum TCPProbe {
    enum Outcome: Equatable {
        case connected(address: String, milliseconds: Int64)
        /// The name does not resolve: the resolver's reason.
        case unresolved(String)
        /// Every address failed; the reason for the last one ("connection refused", "no answer …").
        case failed(address: String, reason: String)
    }

    /// A name lookup: getaddrinfo's status and its list (freed with freeaddrinfo by the probe).
    /// Tests pass one that hangs, as a dead name server does.
    typealias Lookup = @Sendable (_ host: String, _ port: Int) -> (status: Int32, results: UnsafeMutablePointer<addrinfo>?)

    static let systemLookup: Lookup = { host, port in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        return (status, results)
    }

    /// getaddrinfo has no deadline of its own (a dead resolver costs its retries, up to half a
    /// minute per name server), so the lookup gets `timeout` too; a lookup still running then is
    /// left to finish on its thread, and the probe answers that the resolver did not.
    static func probe(host: String, port: Int, timeout: Duration, lookup: @escaping Lookup = systemLookup) async -> Outcome {
        await withCheckedContinuation { continuation in
            let answer = ProbeAnswer(continuation)
            Thread.detachNewThread {
                answer.give(blockingProbe(host: host, port: port, timeout: timeout, lookup: lookup, resolved: answer.markResolved))
            }
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: Double(timeout.inMilliseconds) / 1_000)
                if !answer.isResolved {
                    answer.give(.unresolved("the resolver did not answer within \(DurationText.format(milliseconds: timeout.inMilliseconds))"))
                }
            }
        }
    }

    /// Resumes its continuation once, with whichever comes first.
    private final class ProbeAnswer: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var resolved = false
        }
        private let state: Mutex<State>

        init(_ continuation: CheckedContinuation<Outcome, Never>) { state = Mutex(State(continuation: continuation)) }

        var isResolved: Bool { state.withLock { $0.resolved } }
        func markResolved() { state.withLock { $0.resolved = true } }

        func give(_ outcome: Outcome) {
            let waiting = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
                defer { state.continuation = nil }
                return state.continuation
            }
            waiting?.resume(returning: outcome)
        }
    }

    private static func blockingProbe(
        host: String, port: Int, timeout: Duration, lookup: Lookup, resolved: () -> Void
    ) -> Outcome {
        let (status, results) = lookup(host, port)
        resolved()
        guard status == 0, results != nil else {
            if let results { freeaddrinfo(results) }
            return .unresolved(String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }
        var outcome = Outcome.unresolved("no address")
        var next = results
        while let address = next {
            next = address.pointee.ai_next
            let text = numeric(address)
            let started = ContinuousClock.now
            if let reason = connect(address, timeout: timeout) {
                outcome = .failed(address: text, reason: reason)
                continue
            }
            return .connected(address: text, milliseconds: (ContinuousClock.now - started).inMilliseconds)
        }
        return outcome
    }

    /// nil when connected; else why not.
    private static func connect(_ address: UnsafeMutablePointer<addrinfo>, timeout: Duration) -> String? {
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { return String(cString: strerror(errno)).lowercased() }
        defer { close(descriptor) }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)).lowercased() }
        var watch = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(clamping: timeout.inMilliseconds)
        guard poll(&watch, 1, milliseconds) > 0 else {
            return "no answer within \(DurationText.format(milliseconds: timeout.inMilliseconds)) (a firewall dropping packets, or the host is down)"
        }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return String(cString: strerror(errno)).lowercased() }
        return code == 0 ? nil : String(cString: strerror(code)).lowercased()
    }

    private static func numeric(_ address: UnsafeMutablePointer<addrinfo>) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address.pointee.ai_addr, address.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
        else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
