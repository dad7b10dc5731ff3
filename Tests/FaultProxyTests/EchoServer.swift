import Foundation
import Synchronization

/// A minimal blocking TCP echo server on 127.0.0.1: a thread accepts, a thread per connection
/// echoes until EOF, then closes (so a client's half-close comes back as EOF).
final class EchoServer: Sendable {
    let port: Int
    private let listener: Int32

    private struct State {
        var open: Set<Int32> = []
        var accepted = 0
        var stopped = false
    }

    private let state = Mutex(State())

    init() throws {
        (listener, port) = try listeningSocket(port: 0)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { $0.accepted } }

    /// Connections accepted and not yet ended by their client.
    var openConnections: Int { state.withLock { $0.open.count } }

    /// Wakes every blocked thread with shutdown(2); each thread closes its own descriptor, so none
    /// is closed while another thread still uses it.
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            _ = shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.open { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let admitted = state.withLock { state in
                guard !state.stopped else { return false }
                state.open.insert(fd)
                state.accepted += 1
                return true
            }
            guard admitted else {
                close(fd)
                break
            }
            Thread.detachNewThread { [self] in echo(fd) }
        }
        state.withLock { _ in _ = close(listener) }
    }

    private func echo(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        loop: while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let sent = buffer.withUnsafeBytes { send(fd, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { break loop }
                offset += sent
            }
        }
        state.withLock { state in
            state.open.remove(fd)
            _ = close(fd)
        }
    }
}
