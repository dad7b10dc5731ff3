import Foundation
public import Logging

/// One libwebsockets context serviced by one dedicated thread. Client connections, servers and
/// HTTP requests made through it all run on that thread; every method here may be called from
/// any thread or task.
///
/// Call `shutdown()` when done: it closes every connection (1001), stops the servers and joins
/// the thread. Dropping the last reference starts the same shutdown without waiting for it.
public final class WebSocketEventLoop: Sendable {
    let core: LoopCore

    /// Starts the service thread. `name` names the thread (the OS keeps 15 characters).
    /// `faults` are for negative-control tests only.
    public init(name: String = "ws-event-loop", logger: Logger, faults: TransportFaults = []) throws(TransportError) {
        core = LoopCore(threadName: name, logger: logger, faults: faults)
        try core.start()
    }

    deinit {
        core.requestShutdown(grace: .zero)
        core.takeChildren().forEach { $0.requestShutdown(grace: .zero) }
    }

    /// Whether the service thread is still running.
    public var isRunning: Bool { core.isRunning }

    /// The service thread's name.
    public var threadName: String { core.threadName }

    /// Opens a client WebSocket and returns once the upgrade completed (its `events` start with
    /// `.opened`). Throws with the real reason on refusal, TLS failure or timeout.
    public func connect(_ configuration: WebSocketClientConfiguration) async throws(TransportError) -> WebSocketConnection {
        let endpoint = try Endpoint.parse(configuration.url, schemes: Endpoint.webSocketSchemes)
        try Self.validate(configuration.headers)
        let setup = ClientSetup(
            endpoint: endpoint, headers: configuration.headers, tls: configuration.tls,
            connectTimeout: configuration.connectTimeout)
        let connection = WebSocketConnection(
            core: core, endpoint: endpoint.display, request: nil, clientSetup: setup,
            maxMessageBytes: configuration.maxMessageBytes, limits: configuration.sendQueueLimits)
        if Task.isCancelled { throw .cancelled }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                connection.setOpenWaiter(continuation)
                if !core.submit(.connect(connection), onlyWhileAccepting: true) {
                    connection.finish(.failed(reason: "event loop stopped"), connectError: .loopStopped)
                }
            }
        } onCancel: {
            core.submit(.cancelConnect(connection), onlyWhileAccepting: false)
        }
        try result.get()
        return connection
    }

    /// Starts listening; the returned server knows its bound port.
    ///
    /// Each server runs on a loop of its own (one more context and service thread), owned by this
    /// one and stopped with it: lws 4.1 only releases a listening port when its context is
    /// destroyed, and a stopped server must free its port for a restart.
    public func startServer(_ configuration: WebSocketServerConfiguration) async throws(TransportError) -> WebSocketServer {
        let child = LoopCore(threadName: String(core.threadName.prefix(11)) + "-srv", logger: core.logger, faults: core.faults)
        try child.start()
        guard core.adopt(child) else {
            await Self.stop(child, grace: .zero)
            throw .loopStopped
        }
        let (connections, sink) = AsyncStream.makeStream(of: WebSocketConnection.self)
        let result = await withCheckedContinuation { continuation in
            let start = ServerStart(configuration: configuration, connections: sink, completion: continuation)
            if !child.submit(.startServer(start), onlyWhileAccepting: true) {
                continuation.resume(returning: .failure(.loopStopped))
            }
        }
        do throws(TransportError) {
            let started = try result.get()
            return WebSocketServer(
                loop: child, owner: core, host: configuration.host, port: started.port, connections: connections)
        } catch {
            core.release(child)
            await Self.stop(child, grace: .zero)
            throw error
        }
    }

    static func stop(_ core: LoopCore, grace: Duration) async {
        core.requestShutdown(grace: grace)
        await core.waitForExit()
    }

    /// Performs one HTTP request (no redirects are followed) and returns the whole response.
    public func send(_ request: HTTPClientRequest) async throws(TransportError) -> HTTPClientResponse {
        let endpoint = try Endpoint.parse(request.url, schemes: Endpoint.httpSchemes)
        try Self.validate(request.headers)
        let result = await withCheckedContinuation { continuation in
            let call = HTTPClientCall(endpoint: endpoint, request: request, delivery: .whole(continuation))
            if !core.submit(.httpRequest(call), onlyWhileAccepting: true) {
                continuation.resume(returning: .failure(.loopStopped))
            }
        }
        return try result.get()
    }

    /// Performs one HTTP request (no redirects are followed) and returns as soon as the status and
    /// headers arrived; the body is then read from the returned stream as it arrives (see
    /// `HTTPResponseStream`). `request.timeout` still bounds the whole exchange, up to the last body
    /// byte, and `request.maxResponseBytes` the whole body.
    ///
    /// At most `maxBufferedBytes` of body (plus one 16 KiB socket read) wait unread: beyond that the
    /// socket is not read until the reader catches up. Cancelling the calling task, here or while
    /// reading the stream, aborts the request and closes its connection (`.cancelled`).
    public func stream(
        _ request: HTTPClientRequest, maxBufferedBytes: Int = HTTPResponseStream.defaultMaxBufferedBytes
    ) async throws(TransportError) -> HTTPResponseStream {
        let endpoint = try Endpoint.parse(request.url, schemes: Endpoint.httpSchemes)
        try Self.validate(request.headers)
        let channel = HTTPStreamChannel(core: core, endpoint: endpoint.display, maxBufferedBytes: maxBufferedBytes)
        let head = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard channel.installHeadWaiter(continuation) else { return }
                let call = HTTPClientCall(endpoint: endpoint, request: request, delivery: .stream(channel))
                if !core.submit(.httpRequest(call), onlyWhileAccepting: true) {
                    channel.finish(.failure(.loopStopped))
                }
            }
        } onCancel: {
            channel.cancel()
        }
        return HTTPResponseStream(head: try head.get(), channel: channel)
    }

    /// Closes every connection with 1001, waits up to `gracePeriod` for the close handshakes,
    /// destroys the context on the service thread and returns when that thread has ended.
    public func shutdown(gracePeriod: Duration = .seconds(2)) async {
        core.requestShutdown(grace: gracePeriod)
        let children = core.takeChildren()
        children.forEach { $0.requestShutdown(grace: gracePeriod) }
        for child in children { await child.waitForExit() }
        await core.waitForExit()
    }

    /// Header injection guard: a CR or LF in a name or value would end the header early.
    static func validate(_ headers: HTTPHeaders) throws(TransportError) {
        for header in headers {
            let bad = header.name.isEmpty || header.name.contains(":")
                || (header.name + header.value).unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
            if bad { throw .invalidHeader(name: header.name) }
        }
    }
}
