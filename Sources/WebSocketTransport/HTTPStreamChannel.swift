import DequeModule
import Foundation

/// The status line and headers of a response, known before its body.
struct HTTPResponseHead: Sendable {
    var status: Int
    var headers: HTTPHeaders
}

/// Where an HTTP client exchange delivers its response: whole at the end (`send`) or as it arrives
/// (`stream`). Everything else about an exchange is the same code for both.
enum HTTPResponseDelivery: Sendable {
    case whole(CheckedContinuation<Result<HTTPClientResponse, TransportError>, Never>)
    case stream(HTTPStreamChannel)

    /// Ends the exchange with `error`; callable from any thread (the connect diagnosis answers
    /// from a helper thread).
    func fail(_ error: TransportError) {
        switch self {
        case .whole(let completion): completion.resume(returning: .failure(error))
        case .stream(let channel): channel.finish(.failure(error))
        }
    }
}

/// What a streamed response's reader and the service thread share: the head once it is known, the
/// body chunks not read yet, and how the exchange ended. One reader at a time.
///
/// Backpressure: once `maxBufferedBytes` wait unread, the service thread stops reading the socket
/// (`lws_rx_flow_control`), so TCP holds the server back; reading resumes when the reader has
/// taken the buffer down to half. A single `lws_http_client_read` may still deliver up to one
/// scratch buffer (16 KiB) past the mark, which bounds the memory a stream holds.
final class HTTPStreamChannel: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`; `core`, `endpoint` and
    // `maxBufferedBytes` are immutable. The reader's task and the service thread both call in.

    let maxBufferedBytes: Int
    private let core: LoopCore
    private let endpoint: String

    private let lock = NSLock()
    private var head: Result<HTTPResponseHead, TransportError>?
    private var headWaiter: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?
    private var chunks = Deque<[UInt8]>()
    private var bufferedBytes = 0
    private var chunkWaiter: CheckedContinuation<Result<[UInt8]?, TransportError>, Never>?
    /// How the exchange ended, set by the service thread; chunks may still wait to be read.
    private var ending: Result<Void, TransportError>?
    private var cancelled = false
    /// The service thread stopped reading the socket and waits for `.resumeHTTPStream`.
    private var paused = false

    init(core: LoopCore, endpoint: String, maxBufferedBytes: Int) {
        self.core = core
        self.endpoint = endpoint
        self.maxBufferedBytes = max(1, maxBufferedBytes)
    }

    enum PushOutcome {
        case taken
        /// The buffer is full: stop reading until the reader catches up.
        case pause
        /// Nobody reads any more: drop the connection.
        case cancelled
    }

    // MARK: The reader's side

    /// `stream` waits here for the head. False when it is already known (the waiter was resumed),
    /// e.g. because the request was cancelled before it was submitted.
    func installHeadWaiter(_ waiter: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>) -> Bool {
        lock.lock()
        if let head {
            lock.unlock()
            waiter.resume(returning: head)
            return false
        }
        headWaiter = waiter
        lock.unlock()
        return true
    }

    /// The next chunk, nil at the end. Cancelling the calling task cancels the stream.
    func next() async throws(TransportError) -> [UInt8]? {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8]?, TransportError>, Never>) in
                if let ready = takeOrWait(continuation) { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
        return try result.get()
    }

    private func takeOrWait(
        _ waiter: CheckedContinuation<Result<[UInt8]?, TransportError>, Never>
    ) -> Result<[UInt8]?, TransportError>? {
        var resumeReading = false
        let ready = lock.withLock { () -> Result<[UInt8]?, TransportError>? in
            if cancelled { return .failure(.cancelled) }
            if let chunk = chunks.popFirst() {
                bufferedBytes -= chunk.count
                if paused, bufferedBytes <= maxBufferedBytes / 2 {
                    paused = false
                    resumeReading = ending == nil
                }
                return .success(chunk)
            }
            if let ending { return ending.map { nil } }
            precondition(chunkWaiter == nil, "an HTTPResponseStream is read by one task at a time")
            chunkWaiter = waiter
            return nil
        }
        if resumeReading { core.submit(.resumeHTTPStream(self), onlyWhileAccepting: false) }
        return ready
    }

    /// Drops what is buffered, answers every waiter with `.cancelled` and, while the exchange still
    /// runs, has the service thread kill its connection. Idempotent.
    func cancel() {
        let (running, headWaiter, chunkWaiter) = lock.withLock {
            () -> (Bool, CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?,
                CheckedContinuation<Result<[UInt8]?, TransportError>, Never>?) in
            guard !cancelled else { return (false, nil, nil) }
            cancelled = true
            chunks.removeAll()
            bufferedBytes = 0
            defer { self.chunkWaiter = nil }
            return (ending == nil, settleHead(.failure(.cancelled)), self.chunkWaiter)
        }
        headWaiter?.resume(returning: .failure(.cancelled))
        chunkWaiter?.resume(returning: .failure(.cancelled))
        if running { core.submit(.cancelHTTPStream(self), onlyWhileAccepting: false) }
    }

    var isCancelled: Bool { lock.withLock { cancelled } }

    // MARK: The service thread's side

    func deliverHead(status: Int, headers: HTTPHeaders) {
        let head = HTTPResponseHead(status: status, headers: headers)
        let waiter = lock.withLock { settleHead(.success(head)) }
        waiter?.resume(returning: .success(head))
    }

    func push(_ chunk: [UInt8]) -> PushOutcome {
        lock.lock()
        if cancelled {
            lock.unlock()
            return .cancelled
        }
        if let waiter = chunkWaiter {
            chunkWaiter = nil
            lock.unlock()
            waiter.resume(returning: .success(chunk))
            return .taken
        }
        chunks.append(chunk)
        bufferedBytes += chunk.count
        var outcome = PushOutcome.taken
        if !paused, bufferedBytes >= maxBufferedBytes {
            paused = true
            outcome = .pause
        }
        lock.unlock()
        return outcome
    }

    /// The exchange is over; chunks already buffered are still read before the end or the error.
    func finish(_ result: Result<Void, TransportError>) {
        let (headWaiter, chunkWaiter) = lock.withLock {
            () -> (CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?,
                CheckedContinuation<Result<[UInt8]?, TransportError>, Never>?) in
            guard ending == nil else { return (nil, nil) }
            ending = result
            paused = false
            defer { self.chunkWaiter = nil }
            return (settleHead(headFailure(result)), self.chunkWaiter)
        }
        headWaiter?.resume(returning: headFailure(result))
        chunkWaiter?.resume(returning: result.map { nil })
    }

    /// Caller holds `lock`. Records the head's outcome once; returns the waiter to resume.
    private func settleHead(
        _ outcome: Result<HTTPResponseHead, TransportError>
    ) -> CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>? {
        guard head == nil else { return nil }
        head = outcome
        defer { headWaiter = nil }
        return headWaiter
    }

    /// What `stream` throws when the exchange ends before its head arrived.
    private func headFailure(_ result: Result<Void, TransportError>) -> Result<HTTPResponseHead, TransportError> {
        switch result {
        case .failure(let error): .failure(error)
        case .success: .failure(.requestFailed(endpoint: endpoint, reason: "the response ended before its headers"))
        }
    }
}
