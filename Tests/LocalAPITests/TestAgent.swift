import ConnectorCore
import Foundation
import LocalAPI
import Synchronization
import WebSocketTransport

/// A real agent on a real `/ws/agent` WebSocket: it keeps every text frame the hub sends, and the
/// test reads them in order with a deadline (a hub that never answers fails the test, not hangs it).
final class TestAgent: Sendable {
    let connection: WebSocketConnection
    private let state = Mutex<(frames: [String], read: Int, closed: Bool)>(([], 0, false))
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private init(_ connection: WebSocketConnection) {
        self.connection = connection
    }

    /// `authorization` nil sends the right token; "" sends no Authorization header.
    static func connect(_ api: APIFixture, path: String = "/ws/agent", authorization: String? = nil) async throws
        -> TestAgent
    {
        var headers: HTTPHeaders = [:]
        let value = authorization ?? api.token.authorizationHeaderValue
        if !value.isEmpty { headers.set(name: "Authorization", value: value) }
        let connection = try await api.client.connect(WebSocketClientConfiguration(
            url: "ws://127.0.0.1:\(api.server.port)\(path)", headers: headers, connectTimeout: .seconds(5)))
        let agent = TestAgent(connection)
        agent.reader.withLock { reader in
            reader = Task {
                for await event in connection.events {
                    switch event {
                    case .text(let text): agent.state.withLock { $0.frames.append(text) }
                    case .closed: agent.state.withLock { $0.closed = true }
                    default: break
                    }
                }
            }
        }
        return agent
    }

    /// Connects and registers for `workspaces`, returning once the hub confirmed.
    static func registered(_ api: APIFixture, _ workspaces: [String]) async throws -> TestAgent {
        let agent = try await connect(api)
        let answer = try await agent.register(workspaces)
        guard answer["type"] == "registered" else { throw TestAgentError.unexpected("\(answer)") }
        return agent
    }

    func register(_ workspaces: [String]) async throws -> JSONValue {
        try send(["type": "register", "workspaces": .array(workspaces.map { .string($0) })])
        return try await next()
    }

    func send(_ value: JSONValue) throws {
        try connection.send(text: String(decoding: JSON.encode(value), as: UTF8.self))
    }

    func reply(to message: JSONValue, text: String) throws {
        try send(["type": "reply", "task_id": message["task_id"] ?? .null, "text": .string(text)])
    }

    /// The next frame as received, unparsed.
    func nextText(timeout: Duration = .seconds(5)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let frame = state.withLock { state -> String? in
                guard state.read < state.frames.count else { return nil }
                state.read += 1
                return state.frames[state.read - 1]
            }
            if let frame { return frame }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestAgentError.noFrame(after: timeout)
    }

    func next(timeout: Duration = .seconds(5)) async throws -> JSONValue {
        try JSON.parse(try await nextText(timeout: timeout))
    }

    /// True when no frame arrives within `window`.
    func staysQuiet(for window: Duration) async throws -> Bool {
        try await Task.sleep(for: window)
        return state.withLock { $0.read == $0.frames.count }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Every frame received so far, read or not.
    var allFrames: [String] { state.withLock { $0.frames } }

    func close() async {
        connection.close()
        await reader.withLock { $0 }?.value
    }
}

enum TestAgentError: Error {
    case noFrame(after: Duration)
    case unexpected(String)
}

/// Waits until `condition` holds (polling), or fails after `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw TestAgentError.unexpected("condition not met within \(timeout)")
}

/// A messaging task with a reply_token at the top and, to check the scrub goes deep, nested too.
func sampleTask(workspaceID: String = "ws-1", text: String = "hello", replyToken: String = "rt-SECRET-42") -> AgentTask {
    let event: JSONObject = [
        "request_id": "req-m1", "channel": "line", "event_type": "message", "user_id": "U123",
        "reply_token": .string(replyToken), "message": ["type": "text", "text": .string(text)],
        "channel_config_id": "cc-1", "workspace_id": .string(workspaceID), "timestamp": "2026-11-24T10:00:00.000Z",
        "raw": ["events": [["replyToken": .string(replyToken), "type": "message"], ["reply_token": .string(replyToken)]]],
    ]
    return AgentTask(
        requestID: "req-m1", workspaceID: workspaceID, channel: "line", userID: "U123", text: text, event: event)
}
