import Foundation
import Logging
import Testing
import WebSocketTransport

/// Generous: tests wait for liveness, never assert speed.
let patience: Duration = .seconds(60)

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = patience, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Keeps every event of a connection, read by a background task.
actor EventLog {
    private(set) var events: [WebSocketEvent] = []

    static func recording(_ connection: WebSocketConnection) -> EventLog {
        let log = EventLog()
        Task {
            for await event in connection.events { await log.append(event) }
        }
        return log
    }

    private func append(_ event: WebSocketEvent) { events.append(event) }

    var texts: [String] {
        events.compactMap { if case .text(let text) = $0 { text } else { nil } }
    }

    var closure: WebSocketClosure? {
        events.lazy.compactMap { if case .closed(let closure) = $0 { closure } else { nil } }.first
    }

    /// Waits until `predicate` holds for the events so far; returns whether it did.
    func wait(timeout: Duration = patience, for predicate: @Sendable ([WebSocketEvent]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !predicate(events) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    func waitForTexts(_ count: Int) async -> Bool { await wait { $0.filter(\.isText).count >= count } }
    func waitForClose() async -> Bool { await wait { $0.contains(where: \.isClosed) } }
}

extension WebSocketEvent {
    var isText: Bool { if case .text = self { true } else { false } }
    var isClosed: Bool { if case .closed = self { true } else { false } }
}

/// A server on an ephemeral loopback port that hands its accepted connections to the test.
struct TestServer {
    let server: WebSocketServer
    let accepted: AsyncStream<WebSocketConnection>.Iterator

    var url: String { "ws://127.0.0.1:\(server.port)/ws" }
}

extension WebSocketEventLoop {
    static func forTest(_ name: String = "ws-test", logger: Logger = Logger(label: "test")) throws -> WebSocketEventLoop {
        try WebSocketEventLoop(name: name, logger: logger)
    }
}

/// Runs `body` with a fresh loop and always shuts it down.
@discardableResult
func withLoop<T>(
    logger: Logger = Logger(label: "test"), _ body: (WebSocketEventLoop) async throws -> T
) async throws -> T {
    let loop = try WebSocketEventLoop(name: "ws-test", logger: logger)
    do {
        let result = try await body(loop)
        await loop.shutdown()
        return result
    } catch {
        await loop.shutdown()
        throw error
    }
}

/// Accepts the next server-side connection.
func nextConnection(_ server: WebSocketServer) async -> WebSocketConnection? {
    var iterator = server.connections.makeAsyncIterator()
    return await iterator.next()
}

/// A connected client and the server side of the same socket.
struct Pair {
    let server: WebSocketServer
    let client: WebSocketConnection
    let accepted: WebSocketConnection
    let clientLog: EventLog
    let serverLog: EventLog
}

func connectedPair(
    _ loop: WebSocketEventLoop,
    server configuration: WebSocketServerConfiguration = WebSocketServerConfiguration(webSocketPath: "/ws"),
    client adjust: (inout WebSocketClientConfiguration) -> Void = { _ in }
) async throws -> Pair {
    let server = try await loop.startServer(configuration)
    var clientConfiguration = WebSocketClientConfiguration(url: "ws://127.0.0.1:\(server.port)/ws")
    adjust(&clientConfiguration)
    let client = try await loop.connect(clientConfiguration)
    let accepted = try #require(await nextConnection(server))
    return Pair(
        server: server, client: client, accepted: accepted,
        clientLog: EventLog.recording(client), serverLog: EventLog.recording(accepted))
}
