import Foundation
import WebSocketTransport

/// The link's stack without the protocol, for baselines: a WebSocketTransport server that echoes
/// every text message, and a client on an event loop of its own — the same arrangement as the
/// connector (one loop) and the reference cloud (a server on a loop of its own), on loopback.
/// No JSON, no SQLite, no acks: what the transport alone does with the same frames.
struct EchoBaseline {
    let serverLoop: WebSocketEventLoop
    let clientLoop: WebSocketEventLoop
    let server: WebSocketServer
    let acceptor: Task<Void, Never>

    static func start() async throws -> EchoBaseline {
        let logger = LinkRig.logger("echo")
        let serverLoop = try WebSocketEventLoop(name: "echo", logger: logger)
        let server = try await serverLoop.startServer(WebSocketServerConfiguration(webSocketPath: "/echo"))
        let acceptor = Task {
            await withDiscardingTaskGroup { group in
                for await connection in server.connections {
                    group.addTask {
                        for await event in connection.events {
                            if case .text(let text) = event { try? connection.send(text: text) }
                        }
                    }
                }
            }
        }
        let clientLoop = try WebSocketEventLoop(name: "echo-client", logger: logger)
        return EchoBaseline(serverLoop: serverLoop, clientLoop: clientLoop, server: server, acceptor: acceptor)
    }

    func stop() async {
        await clientLoop.shutdown(gracePeriod: .seconds(1))
        await server.stop(gracePeriod: .seconds(1))
        await serverLoop.shutdown(gracePeriod: .seconds(1))
        await acceptor.value
    }

    private func connect() async throws -> WebSocketConnection {
        try await clientLoop.connect(WebSocketClientConfiguration(url: "ws://127.0.0.1:\(server.port)/echo"))
    }

    /// Sends `count` messages (cycling through `messages`) with at most `window` unechoed at once,
    /// like a replay with `max_inflight` = `window`; returns the seconds until the last echo.
    func throughput(_ messages: [[UInt8]], count: Int, window: Int) async throws -> Double {
        precondition(!messages.isEmpty && count > 0 && window > 0)
        let connection = try await connect()
        var events = connection.events.makeAsyncIterator()
        guard await events.next() == .opened else { throw BenchFailure("echo: the connection did not open") }
        var sent = 0
        var echoed = 0
        let start = Measure.now()
        while sent < min(window, count) {
            try connection.send(utf8: messages[sent % messages.count])
            sent += 1
        }
        while echoed < count {
            guard let event = await events.next() else { throw BenchFailure("echo: the connection ended early") }
            switch event {
            case .text:
                echoed += 1
                if sent < count {
                    try connection.send(utf8: messages[sent % messages.count])
                    sent += 1
                }
            case .closed(let closure):
                throw BenchFailure("echo: \(closure) after \(echoed) of \(count) echoes")
            default:
                break
            }
        }
        let seconds = Measure.seconds(since: start)
        await finish(connection, &events)
        return seconds
    }

    /// One message at a time, `count` times, every `interval` (after `warmups` untimed ones): the
    /// round trip of each, from the send call until its echo arrived.
    func roundTrips(_ messages: [[UInt8]], count: Int, interval: Duration, warmups: Int = 50) async throws -> [Double] {
        precondition(!messages.isEmpty)
        let connection = try await connect()
        var events = connection.events.makeAsyncIterator()
        guard await events.next() == .opened else { throw BenchFailure("echo: the connection did not open") }
        var times: [Double] = []
        times.reserveCapacity(count)
        let start = Measure.now()
        for index in 0..<(warmups + count) {
            try await Measure.clock.sleep(until: start + interval * index, tolerance: nil)
            let sent = Measure.now()
            try connection.send(utf8: messages[index % messages.count])
            while true {
                guard let event = await events.next() else { throw BenchFailure("echo: the connection ended early") }
                if case .text = event { break }
                if case .closed(let closure) = event { throw BenchFailure("echo: \(closure)") }
            }
            if index >= warmups { times.append(Measure.seconds(since: sent)) }
        }
        await finish(connection, &events)
        return times
    }

    /// Closes and reads the events to the end, as WebSocketConnection asks.
    private func finish(_ connection: WebSocketConnection, _ events: inout AsyncStream<WebSocketEvent>.Iterator) async {
        connection.close()
        while await events.next() != nil {}
    }
}
