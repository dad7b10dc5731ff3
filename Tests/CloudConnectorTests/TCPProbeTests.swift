@testable import CloudConnectorCLI
import Foundation
import Testing

/// doctor's reachability probe: a resolver that never answers must not hold `doctor` with it.
@Suite("doctor: DNS and TCP probe")
struct TCPProbeTests {
    @Test("a resolver that hangs: the probe answers at its deadline that the resolver did not, while the lookup is still blocked")
    func hangingResolverMeetsTheDeadline() async throws {
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        // Without the deadline the probe would wait for the lookup: release it after a generous
        // while so such a regression fails (with the resolver's own reason) instead of hanging.
        DispatchQueue.global().asyncAfter(deadline: .now() + 20) { release.signal() }
        let hanging: TCPProbe.Lookup = { _, _ in
            release.wait()
            finished.signal()
            return (EAI_AGAIN, nil)
        }
        let outcome = await TCPProbe.probe(host: "cloud.example", port: 443, timeout: .milliseconds(200), lookup: hanging)
        #expect(outcome == .unresolved("the resolver did not answer within 200ms"))
        // The answer came while the lookup still hung: nothing has released it yet.
        let stillBlocked = finished.wait(timeout: .now()) == .timedOut
        #expect(stillBlocked)
        release.signal()
        if stillBlocked { finished.wait() }
    }

    @Test("a resolver that fails: its own reason, not a timeout")
    func failingResolverGivesItsReason() async {
        let outcome = await TCPProbe.probe(host: "no-such-host.invalid", port: 443, timeout: .seconds(30)) { _, _ in
            (EAI_NONAME, nil)
        }
        #expect(outcome == .unresolved(String(cString: gai_strerror(EAI_NONAME))))
    }

    @Test("the system resolver and a listening loopback port: connected, with the numeric address")
    func systemLookupConnects() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let outcome = await TCPProbe.probe(host: "127.0.0.1", port: listener.port, timeout: .seconds(30))
        guard case .connected(let address, _) = outcome else {
            Issue.record("expected a connection, got \(outcome)")
            return
        }
        #expect(address == "127.0.0.1")
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks; the backlog accepts the probe.
private struct LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listening >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listening, generic, length) == 0 && listen(listening, 4) == 0
                    && getsockname(listening, generic, &length) == 0
            }
        }
        guard bound else {
            let failure = errno
            Glibc.close(listening)
            throw POSIXError(.init(rawValue: failure) ?? .EIO)
        }
        descriptor = listening
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(descriptor) }
}
