import ConnectorCore
import LocalAPI
import Testing
import WebSocketTransport

/// `/ws/agent` itself: who may connect, what an agent is sent, and how bad frames are handled.
@Suite struct AgentEndpointTests {
    @Test func theUpgradeNeedsTheLocalToken() async throws {
        try await withAPI { api in
            for authorization in ["", "Bearer 0000", "Basic abc"] {
                let status = await refusal { _ = try await TestAgent.connect(api, authorization: authorization) }
                #expect(status == 401, "\(authorization.isEmpty ? "no header" : authorization)")
            }
            let refusals = api.logs.all.filter { $0.message.contains("agent connection refused") }
            #expect(refusals.contains { $0.metadata["bearer"] == "missing" })
            #expect(refusals.contains { $0.metadata["bearer"] == "wrong" })
            let secret = String(api.token.authorizationHeaderValue.dropFirst("Bearer ".count))
            for entry in api.logs.all { #expect(!entry.text.contains(secret)) }
            #expect(await api.server.agents.registeredWorkspaces().isEmpty)
        }
    }

    @Test func anotherUpgradePathIs404AndPlainHTTPStillWorks() async throws {
        try await withAPI { api in
            #expect(await refusal { _ = try await TestAgent.connect(api, path: "/ws/other") } == 404)
            #expect(await refusal { _ = try await TestAgent.connect(api, path: "/v1/events") } == 404)
            let health = try await api.send(.get, "/healthz")
            // A plain GET of the agent path is not an endpoint of the HTTP API.
            let plain = try await api.send(.get, "/ws/agent")
            #expect(health.status == 200)
            #expect(plain.status == 404)
        }
    }

    @Test func registerIsConfirmedWithEveryWorkspaceTheAgentHolds() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.connect(api)
            #expect(try await agent.register(["ws-1", "ws-2", "ws-1"]) == ["type": "registered", "workspaces": ["ws-1", "ws-2"]])
            // A second register adds to the first.
            #expect(try await agent.register(["ws-3", "ws-2"]) == ["type": "registered", "workspaces": ["ws-1", "ws-2", "ws-3"]])
            #expect(await api.server.agents.registeredWorkspaces() == ["ws-1", "ws-2", "ws-3"])
            await agent.close()
            try await eventually { await api.server.agents.registeredWorkspaces().isEmpty }
        }
    }

    @Test func theMessageCarriesTheTaskButNeverTheReplyToken() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.registered(api, ["ws-1"])
            let dispatch = Task {
                await api.server.agents.dispatch(
                    workspaceID: "ws-1", task: sampleTask(replyToken: "rt-SECRET-42"), wait: .seconds(5), replyTimeout: .seconds(5))
            }
            let text = try await agent.nextText()
            #expect(!text.contains("rt-SECRET-42"))
            #expect(!text.contains("reply_token") && !text.contains("replyToken"))
            let message = try JSON.parse(text)
            #expect(message["type"] == "message")
            #expect(message["task_id"]?.stringValue?.isEmpty == false)
            #expect(message["request_id"] == "req-m1")
            #expect(message["workspace_id"] == "ws-1")
            #expect(message["channel"] == "line")
            #expect(message["user_id"] == "U123")
            #expect(message["text"] == "hello")
            #expect(message["event"]?["message"]?["text"] == "hello")
            #expect(message["event"]?["channel_config_id"] == "cc-1")
            #expect(message["event"]?["raw"]?["events"]?.arrayValue?.first?["type"] == "message")
            try agent.reply(to: message, text: "done")
            #expect(await dispatch.value == .replied(text: "done"))
        }
    }

    @Test func malformedFramesAreAnsweredAndDroppedAndTheAgentStays() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.connect(api)
            let bad: [String] = [
                "not json", "[1,2]", #"{"no":"type"}"#, #"{"type":"dance"}"#, #"{"type":"register"}"#,
                #"{"type":"register","workspaces":[]}"#, #"{"type":"register","workspaces":["ok",7]}"#,
                #"{"type":"reply","text":"no task id"}"#, #"{"type":"reply","task_id":"t-1"}"#,
                #"{"type":"reply","task_id":"t-unknown","text":"late"}"#, #"{"type":"error","task_id":"t-1"}"#,
            ]
            for frame in bad {
                try agent.connection.send(text: frame)
                let answer = try await agent.next()
                #expect(answer["type"] == "error", "\(frame)")
                #expect(answer["message"]?.stringValue?.isEmpty == false, "\(frame)")
                #expect(answer["task_id"] == nil, "\(frame)")
            }
            try agent.connection.sendRaw(.binary([1, 2, 3]))
            #expect(try await agent.next()["type"] == "error")
            #expect(!agent.isClosed)
            #expect(await api.server.agents.agentCount(for: "ok") == 0)
            // Still a working agent.
            _ = try await agent.register(["ws-1"])
            let dispatch = Task {
                await api.server.agents.dispatch(workspaceID: "ws-1", task: sampleTask(), wait: .seconds(5), replyTimeout: .seconds(5))
            }
            try agent.reply(to: try await agent.next(), text: "still here")
            #expect(await dispatch.value == .replied(text: "still here"))
            #expect(api.logs.all.contains { $0.message == "agent frame dropped" })
        }
    }

    @Test func anAgentCannotAnswerATaskSentToAnother() async throws {
        try await withAPI { api in
            let holder = try await TestAgent.registered(api, ["ws-1"])
            let intruder = try await TestAgent.registered(api, ["ws-2"])
            let dispatch = Task {
                await api.server.agents.dispatch(workspaceID: "ws-1", task: sampleTask(), wait: .seconds(5), replyTimeout: .seconds(5))
            }
            let message = try await holder.next()
            try intruder.reply(to: message, text: "forged")
            #expect(try await intruder.next()["type"] == "error")
            try holder.reply(to: message, text: "genuine")
            #expect(await dispatch.value == .replied(text: "genuine"))
        }
    }

    @Test func theServerUsesTheHubItIsGiven() async throws {
        try await withAPI { api in
            let hub = AgentHub(logger: quietLogger)
            let server = try await LocalAPIServer.start(
                configuration: LocalAPIConfiguration(port: 0), store: api.store, token: api.token, metrics: api.factory,
                agents: hub, logger: quietLogger)
            #expect(server.agents === hub)
            let connection = try await api.client.connect(WebSocketClientConfiguration(
                url: "ws://127.0.0.1:\(server.port)/ws/agent",
                headers: ["Authorization": api.token.authorizationHeaderValue]))
            try connection.send(text: #"{"type":"register","workspaces":["ws-own"]}"#)
            try await eventually { await hub.agentCount(for: "ws-own") == 1 }
            await server.stop()
            try await eventually { await hub.agentCount(for: "ws-own") == 0 }
        }
    }

    /// The HTTP status the upgrade was refused with, or nil if it was not refused that way.
    private func refusal(_ body: () async throws -> Void) async -> Int? {
        do {
            try await body()
            return nil
        } catch let TransportError.upgradeRefused(_, status) {
            return status
        } catch {
            return nil
        }
    }
}
