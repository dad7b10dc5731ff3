import Foundation
import Glibc

/// Tests only. An HTTP/1.1 server on 127.0.0.1 written with plain sockets, so a test decides when each byte of
/// a response goes out and sees when the client goes away. One request per connection.
public final class RawHTTPServer: Sendable {
    public let port: Int
    private let listener: Int32

    public init() throws {
        let socket = try SilentListener()
        listener = socket.descriptor
        port = socket.port
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// The next connection, once its request head (and Content-Length body) has been read.
    public func accept(timeout: Duration = .seconds(60)) async throws -> RawHTTPExchange {
        let listener = self.listener
        return try await offThread {
            var watch = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&watch, 1, Int32(timeout.components.seconds * 1000)) == 1 else { throw SilentListener.Failure(step: "accept timed out") }
            let descriptor = Glibc.accept(listener, nil, nil)
            guard descriptor >= 0 else { throw SilentListener.Failure(step: "accept") }
            return try RawHTTPExchange(descriptor: descriptor)
        }
    }

    public func close() { _ = Foundation.close(listener) }
}

/// One accepted connection: the request it carried, and blocking writes for the response.
public final class RawHTTPExchange: Sendable {
    public let descriptor: Int32
    /// The request line and headers, without the blank line.
    public let head: String
    public let body: [UInt8]

    public init(descriptor: Int32) throws {
        self.descriptor = descriptor
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else {
                _ = Foundation.close(descriptor)
                throw SilentListener.Failure(step: "reading the request head")
            }
            received += buffer[0..<count]
            headEnd = received.indices.dropLast(3).first { received[$0..<($0 + 4)].elementsEqual(separator) }
        }
        let head = String(decoding: received[0..<headEnd!], as: UTF8.self)
        let declared = head.split(separator: "\r\n").lazy
            .compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        var body = Array(received[(headEnd! + 4)...])
        while body.count < declared {
            let count = recv(descriptor, &buffer, min(buffer.count, declared - body.count), 0)
            guard count > 0 else { break }
            body += buffer[0..<count]
        }
        self.head = head
        self.body = body
    }

    /// The request line, e.g. `POST /exec HTTP/1.1`.
    public var requestLine: String { head.split(separator: "\r\n").first.map(String.init) ?? "" }

    /// False once the client is gone. Never raises SIGPIPE.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// A status line and headers announcing a chunked body.
    @discardableResult
    public func startChunked(status: Int = 200, contentType: String = "application/x-ndjson") -> Bool {
        write("HTTP/1.1 \(status) OK\r\nContent-Type: \(contentType)\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    /// One chunk of a chunked body.
    @discardableResult
    public func writeChunk(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return write(String(bytes.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    /// The last chunk: the body is complete.
    @discardableResult
    public func endChunks() -> Bool { write("0\r\n\r\n") }

    /// Sends FIN: the response ends here, as when the server closes (the descriptor stays open).
    public func finishWriting() { _ = shutdown(descriptor, Int32(SHUT_WR)) }

    /// Whether the client closed the connection (EOF or reset) within `timeout`.
    public func waitForClose(timeout: Duration) async -> Bool {
        let descriptor = self.descriptor
        return (try? await offThread { () -> Bool in
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline {
                var watch = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&watch, 1, 50) == 1 else { continue }
                if recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)) <= 0 { return true }
            }
            return false
        }) ?? false
    }

    public func close() { _ = Foundation.close(descriptor) }
}

/// Runs blocking socket work on a thread of its own, off the cooperative pool.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
