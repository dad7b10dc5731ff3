import Foundation
import SocketTestSupport

/// A one-connection TCP relay on 127.0.0.1 that holds the client's first bytes (a TLS ClientHello)
/// until the test opens the gate, then connects upstream and copies both ways. Lets a test act
/// at a known point in the middle of a TLS handshake.
final class GatedRelay: Sendable {
    let port: Int
    private let listener: SilentListener
    private let upstreamPort: Int
    private let firstBytes = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)

    init(upstreamPort: Int) throws {
        listener = try SilentListener()
        port = listener.port
        self.upstreamPort = upstreamPort
        Thread { [self] in relayOne() }.start()
    }

    /// Waits (off the cooperative pool) until the client has sent its first bytes.
    func waitForFirstBytes(timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { [firstBytes] in
                let seconds = Double(timeout.components.seconds)
                continuation.resume(returning: firstBytes.wait(timeout: .now() + seconds) == .success)
            }.start()
        }
    }

    func open() { gate.signal() }

    private func relayOne() {
        let client = accept(listener.descriptor, nil, nil)
        listener.close()
        guard client >= 0 else { return }
        var held = [UInt8](repeating: 0, count: 64 * 1024)
        let count = read(client, &held, held.count)
        firstBytes.signal()
        gate.wait()
        guard count > 0, let upstream = Self.connectLoopback(upstreamPort) else {
            _ = Foundation.close(client)
            return
        }
        _ = held.withUnsafeBytes { write(upstream, $0.baseAddress, count) }
        Thread { Self.copy(from: upstream, to: client) }.start()
        Self.copy(from: client, to: upstream)
    }

    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 || buffer.withUnsafeBytes({ write(destination, $0.baseAddress, count) }) != count { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    static func connectLoopback(_ port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0 ? descriptor : nil
    }
}
