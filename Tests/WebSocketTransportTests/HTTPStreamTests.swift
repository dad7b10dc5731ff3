import Foundation
import Synchronization
import SocketTestSupport
import Testing
import WebSocketTransport

extension TransportSocketTests {
    /// `WebSocketEventLoop.stream`: the body as it arrives, aborts that the server sees, backpressure.
    /// The server side is `RawHTTPServer`, so each test decides when every part of the body is written.
    @Suite struct HTTPStreamTests {
        @Test func aChunkArrivesBeforeTheRestOfTheBodyIsWritten() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let request = HTTPClientRequest(
                    method: .post, url: server.url + "/run?step=1", body: Array("job".utf8), timeout: .seconds(30))
                let opening = Task { try await loop.stream(request) }
                let exchange = try await server.accept()
                defer { exchange.close() }
                #expect(exchange.requestLine == "POST /run?step=1 HTTP/1.1")
                #expect(exchange.body == Array("job".utf8))
                exchange.startChunked()
                let response = try await opening.value
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "application/x-ndjson")

                var iterator = response.makeAsyncIterator()
                exchange.writeChunk("first\n")
                #expect(try await Self.read(&iterator, count: 6) == Array("first\n".utf8))
                // Written only now: a client that waits for the end of the body (or for a timeout)
                // would not have delivered "first" above.
                exchange.writeChunk("second\n")
                exchange.endChunks()
                var rest: [UInt8] = []
                while let chunk = try await iterator.next() { rest += chunk }
                #expect(rest == Array("second\n".utf8))
            }
        }

        @Test func cancellingTheReadingTaskClosesTheConnection() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let (seen, sink) = AsyncStream.makeStream(of: [UInt8].self)
                let reader = Task {
                    defer { sink.finish() }
                    let response = try await loop.stream(HTTPClientRequest(url: server.url + "/long", timeout: .seconds(30)))
                    for try await chunk in response { sink.yield(chunk) }
                }
                let exchange = try await server.accept()
                defer { exchange.close() }
                exchange.startChunked()
                exchange.writeChunk("working\n")
                var chunks = seen.makeAsyncIterator()
                #expect(await chunks.next() != nil, "no chunk arrived while the body went on")
                reader.cancel()
                await #expect(throws: TransportError.cancelled) { try await reader.value }
                #expect(await exchange.waitForClose(timeout: .seconds(10)), "the server still has the connection")
            }
        }

        @Test func cancellingBeforeTheHeadersArriveClosesTheConnection() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let opening = Task { try await loop.stream(HTTPClientRequest(url: server.url + "/slow", timeout: .seconds(30))) }
                let exchange = try await server.accept()
                defer { exchange.close() }
                opening.cancel()
                await #expect(throws: TransportError.cancelled) { _ = try await opening.value }
                #expect(await exchange.waitForClose(timeout: .seconds(10)), "the server still has the connection")
            }
        }

        @Test func cancelOnTheStreamClosesTheConnection() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let opening = Task { try await loop.stream(HTTPClientRequest(url: server.url + "/x", timeout: .seconds(30))) }
                let exchange = try await server.accept()
                defer { exchange.close() }
                // Only the head: nothing arriving later could make the client notice the cancel itself.
                exchange.startChunked()
                let response = try await opening.value
                response.cancel()
                #expect(await exchange.waitForClose(timeout: .seconds(10)), "the server still has the connection")
                await #expect(throws: TransportError.cancelled) {
                    for try await _ in response {}
                }
            }
        }

        /// lws gives each phase of a client connection 5 s; a service may think longer than that
        /// before it answers, and between two lines. Only the request's own `timeout` counts.
        @Test func aServiceThatThinksLongerThanLibwebsocketsTimeoutsIsWaitedFor() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let opening = Task { try await loop.stream(HTTPClientRequest(url: server.url + "/think", timeout: .seconds(60))) }
                let exchange = try await server.accept()
                defer { exchange.close() }
                try await Task.sleep(for: .seconds(6))
                exchange.startChunked()
                exchange.writeChunk("thought\n")
                let response = try await opening.value
                let reading = Task {
                    var received: [UInt8] = []
                    for try await chunk in response { received += chunk }
                    return received
                }
                try await Task.sleep(for: .seconds(6))
                exchange.writeChunk("again\n")
                exchange.endChunks()
                #expect(try await reading.value == Array("thought\nagain\n".utf8))
            }
        }

        /// lws reports a chunked body complete both at its last chunk and when the connection just
        /// ends; only the first is an end, the other a failure. A Content-Length body cut short too.
        @Test func aBodyCutShortIsAnErrorNotAnEnd() async throws {
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let opening = Task { try await loop.stream(HTTPClientRequest(url: server.url + "/chunked", timeout: .seconds(30))) }
                let chunked = try await server.accept()
                chunked.startChunked()
                chunked.writeChunk("partial\n")
                let response = try await opening.value
                var iterator = response.makeAsyncIterator()
                #expect(try await Self.read(&iterator, count: 8) == Array("partial\n".utf8))
                chunked.close()
                let error = await #expect(throws: TransportError.self) {
                    while try await iterator.next() != nil {}
                }
                #expect("\(String(describing: error))".contains("before the end of the response body"))

                let sending = Task { try await loop.send(HTTPClientRequest(url: server.url + "/sized", timeout: .seconds(30))) }
                let sized = try await server.accept()
                sized.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly ten..")
                sized.close()
                await #expect(throws: TransportError.self) { _ = try await sending.value }

                // A complete chunked body with the close right behind it is an end.
                let whole = Task { try await loop.send(HTTPClientRequest(url: server.url + "/whole", timeout: .seconds(30))) }
                let closing = try await server.accept()
                closing.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nlast\n\r\n0\r\n\r\n")
                closing.close()
                #expect(try await whole.value.bodyText == "last\n")
            }
        }

        /// Nothing is read for a while: the event loop must stop reading the socket once its buffer is
        /// full, so the server's writes stall long before the end of a body bigger than every buffer.
        @Test func aReaderThatFallsBehindHoldsTheServerBack() async throws {
            let total = 16 << 20
            let server = try RawHTTPServer()
            defer { server.close() }
            try await withLoop { loop in
                let opening = Task {
                    try await loop.stream(
                        HTTPClientRequest(url: server.url + "/big", timeout: .seconds(120), maxResponseBytes: total),
                        maxBufferedBytes: 64 << 10)
                }
                let exchange = try await server.accept()
                defer { exchange.close() }
                exchange.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(total)\r\n\r\n")
                let response = try await opening.value
                let written = ByteCounter()
                Thread.detachNewThread {
                    var offset = 0
                    while offset < total {
                        let start = offset % 251
                        let block = Array(Self.pattern[start..<(start + min(64 << 10, total - offset))])
                        guard exchange.write(block) else { return }
                        offset += block.count
                        written.add(block.count)
                    }
                    // Gone while the client still has most of the body to read: it must not be lost.
                    exchange.finishWriting()
                }
                var stalledAt = -1
                let deadline = ContinuousClock.now + patience
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(300))
                    let now = written.value
                    if now == stalledAt { break }
                    stalledAt = now
                }
                #expect(stalledAt < total / 2, "the client took \(stalledAt) of \(total) bytes without reading them")

                var received = 0
                var intact = true
                for try await chunk in response {
                    if !Self.followsPattern(chunk, at: received) { intact = false }
                    received += chunk.count
                }
                #expect(received == total)
                #expect(intact, "bytes arrived out of order")
            }
        }

        @Test func aWholeResponseStreamsIntactAndItsSizeLimitHolds() async throws {
            try await withLoop { loop in
                let server = try await HTTPTests.server(loop)
                let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                let response = try await loop.stream(
                    HTTPClientRequest(
                        method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: body,
                        extraResponseHeaderNames: ["X-Body-Length"]),
                    maxBufferedBytes: 4096)
                #expect(response.status == 200)
                #expect(response.headers["X-Body-Length"] == "200000")
                var received: [UInt8] = []
                for try await chunk in response { received += chunk }
                #expect(received.elementsEqual(body), "the body differs")

                let tooBig = try await loop.stream(HTTPClientRequest(
                    method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: [UInt8](repeating: 2, count: 500),
                    maxResponseBytes: 100))
                await #expect(throws: TransportError.responseTooLarge(limit: 100)) {
                    for try await _ in tooBig {}
                }
            }
        }

        /// Byte `i` of the big body is `i % 251`; this holds 64 KiB from any starting phase.
        static let pattern = (0..<(251 * 264)).map { UInt8($0 % 251) }

        static func followsPattern(_ chunk: [UInt8], at offset: Int) -> Bool {
            let start = offset % 251
            guard start + chunk.count <= pattern.count else { return false }
            return chunk.withUnsafeBytes { bytes in
                pattern.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress! + start, bytes.count) == 0 }
            }
        }

        /// Reads until `count` bytes arrived (a chunk may come in pieces).
        static func read(_ iterator: inout HTTPResponseStream.AsyncIterator, count: Int) async throws -> [UInt8] {
            var bytes: [UInt8] = []
            while bytes.count < count, let chunk = try await iterator.next() { bytes += chunk }
            return bytes
        }
    }
}

/// Bytes written so far, from the writer thread to the test (an atomic: ThreadSanitizer understands
/// it, unlike Synchronization.Mutex on Linux).
final class ByteCounter: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ bytes: Int) { count.add(bytes, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
