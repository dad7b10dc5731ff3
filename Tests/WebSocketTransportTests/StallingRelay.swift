import Foundation
import SocketTestSupport

/// A one-connection TCP relay on 127.0.0.1 that copies both ways until `stall()`, then reads
/// nothing more from either side while keeping both sockets open: a peer that stopped reading,
/// as behind a hung proxy or a half-open link. Our writes then fill the kernel buffers.
final class StallingRelay: Sendable {
    let port: Int
    private let listener: SilentListener
    private let upstreamPort: Int
    // NSLock rather than Mutex: these tests also run under ThreadSanitizer, which reports false
    // races on Synchronization.Mutex on Linux.
    private let lock = NSLock()
    nonisolated(unsafe) private var state = (stalled: false, closed: false, sockets: [Int32](), copiers: 2)

    init(upstreamPort: Int) throws {
        listener = try SilentListener()
        port = listener.port
        self.upstreamPort = upstreamPort
        Thread { [self] in relayOne() }.start()
    }

    func stall() { lock.withLock { state.stalled = true } }

    /// Ends the copying threads; the last one to leave closes both sockets.
    func close() {
        let sockets = lock.withLock {
            state.closed = true
            return state.sockets
        }
        for descriptor in sockets { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private func relayOne() {
        let client = accept(listener.descriptor, nil, nil)
        listener.close()
        guard client >= 0 else { return }
        guard let upstream = GatedRelay.connectLoopback(upstreamPort) else {
            Foundation.close(client)
            return
        }
        lock.withLock { state.sockets = [client, upstream] }
        Thread { [self] in
            copy(from: upstream, to: client)
            copierDone()
        }.start()
        copy(from: client, to: upstream)
        copierDone()
    }

    /// Closing while the other thread may still poll a descriptor could hand it a reused number.
    private func copierDone() {
        let sockets = lock.withLock { () -> [Int32] in
            state.copiers -= 1
            return state.copiers == 0 ? state.sockets : []
        }
        for descriptor in sockets { Foundation.close(descriptor) }
    }

    private func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let (stalled, closed) = lock.withLock { (state.stalled, state.closed) }
            if closed { return }
            if stalled {
                usleep(20_000)
                continue
            }
            var ready = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 20) >= 0 else { return }
            if ready.revents == 0 { continue }
            let count = read(source, &buffer, buffer.count)
            if count <= 0 || buffer.withUnsafeBytes({ write(destination, $0.baseAddress, count) }) != count { return }
        }
    }
}
