/// An HTTP response read while it arrives, from `WebSocketEventLoop.stream`: `status` and
/// `headers` are known, the body follows as chunks in the order the server's bytes arrive (chunked
/// transfer framing removed; chunk boundaries are not meaningful).
///
/// Read it from one task at a time with `for try await chunk in response`. The sequence ends after
/// the last byte, or throws `TransportError`: the connection was lost (`.requestFailed`), the
/// request's `timeout` passed (`.timedOut`), more than `maxResponseBytes` arrived
/// (`.responseTooLarge`), or the stream was cancelled (`.cancelled`).
///
/// Cancelling the reading task, calling `cancel()`, or dropping the last reference before the end
/// aborts the request: its connection is closed, so the server sees the client go away.
///
/// Memory: at most `maxBufferedBytes` (plus one 16 KiB socket read) wait unread; beyond that the
/// event loop stops reading the socket until the reader catches up, and TCP holds the server back.
public final class HTTPResponseStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = TransportError

    /// The default for `WebSocketEventLoop.stream(_:maxBufferedBytes:)`.
    public static let defaultMaxBufferedBytes = 256 << 10

    public let status: Int
    public let headers: HTTPHeaders
    let channel: HTTPStreamChannel

    init(head: HTTPResponseHead, channel: HTTPStreamChannel) {
        status = head.status
        headers = head.headers
        self.channel = channel
    }

    deinit { channel.cancel() }

    /// Aborts the request (its connection is closed) and drops unread chunks; reading then throws
    /// `.cancelled`. Does nothing more once the response has ended. Callable from any thread.
    public func cancel() { channel.cancel() }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Keeps the stream, and so its request, alive while it is read.
        let stream: HTTPResponseStream

        public mutating func next() async throws(TransportError) -> [UInt8]? {
            try await stream.channel.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(TransportError) -> [UInt8]? {
            try await stream.channel.next()
        }
    }
}
