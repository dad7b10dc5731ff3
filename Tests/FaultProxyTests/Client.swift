import Foundation

struct SocketError: Error, Equatable {
    let operation: String
    let code: Int32
}

/// A blocking TCP client socket on 127.0.0.1, with timeouts on every read (via poll) so a broken
/// proxy fails a test instead of hanging it.
struct Client: Sendable {
    let fd: Int32

    enum Read: Equatable {
        case bytes([UInt8])
        case eof
        case timedOut
        case failed(Int32)
    }

    static func connect(port: Int) throws(SocketError) -> Client {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", code: errno) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Foundation.close(fd)
            throw SocketError(operation: "connect", code: code)
        }
        return Client(fd: fd)
    }

    /// Sends every byte (blocking).
    func send(_ bytes: [UInt8]) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Foundation.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw SocketError(operation: "send", code: errno)
            }
            offset += sent
        }
    }

    /// Sends what the socket takes without blocking; returns how much that was.
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        let sent = bytes.withUnsafeBytes {
            Foundation.send(fd, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        return max(sent, 0)
    }

    /// One read of what is there, waiting at most `timeout` for something.
    func read(max: Int = 64 * 1024, timeout: Duration = patience) -> Read {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&entry, 1, milliseconds)
        if ready == 0 { return .timedOut }
        if ready < 0 { return .failed(errno) }
        var buffer = [UInt8](repeating: 0, count: max)
        let count = recv(fd, &buffer, max, 0)
        if count > 0 { return .bytes(Array(buffer[0..<count])) }
        return count == 0 ? .eof : .failed(errno)
    }

    /// Exactly `count` bytes, or an error naming what came instead.
    func receive(count: Int, timeout: Duration = patience) throws(SocketError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        received.reserveCapacity(count)
        while received.count < count {
            switch read(max: min(64 * 1024, count - received.count), timeout: deadline - .now) {
            case .bytes(let bytes): received += bytes
            case .eof: throw SocketError(operation: "receive: EOF after \(received.count)", code: 0)
            case .timedOut: throw SocketError(operation: "receive: timeout after \(received.count)", code: ETIMEDOUT)
            case .failed(let code): throw SocketError(operation: "receive", code: code)
            }
        }
        return received
    }

    /// Reads and drops input until the connection ends: `.eof`, `.failed(errno)` or `.timedOut`.
    func waitForClose(timeout: Duration = patience) -> Read {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = read(timeout: deadline - .now)
            if case .bytes = result { continue }
            return result
        }
    }

    /// Sends `bytes` and expects them echoed; false on any failure.
    func roundTrip(_ bytes: [UInt8] = Array("ping".utf8), timeout: Duration = patience) -> Bool {
        do {
            try send(bytes)
            return try receive(count: bytes.count, timeout: timeout) == bytes
        } catch {
            return false
        }
    }

    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    func close() { _ = Foundation.close(fd) }

    /// Closes with an RST (SO_LINGER 0), as a crashed or reset peer would.
    func closeWithReset() {
        var linger = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close()
    }
}

func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    return address
}

/// A listening socket on 127.0.0.1 at `port` (0: any): proves a port free, or makes one
/// that refuses once closed.
func listeningSocket(port: Int, listening: Bool = true) throws(SocketError) -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError(operation: "socket", code: errno) }
    var one: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = loopback(port: port)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound, !listening || listen(fd, 16) == 0 else {
        let code = errno
        close(fd)
        throw SocketError(operation: "bind/listen \(port)", code: code)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
