import CloudConnector
import ConnectorCore
import Executors
import Foundation
import LocalAPI
import Logging
import OutboxStore
import ReferenceCloud
import ServiceLifecycle
import Testing
import WebSocketTransport

extension LinkSuites {
    @Suite("A messaging round trip through a local agent", .timeLimit(.minutes(2)))
    struct AgentRoundTripTests {
        @Test("an agent on /ws/agent answers a LINE-style event and the reply reaches the cloud; without an agent the wait ends in an error reply")
        func roundTrip() async throws {
            let harness = try await LinkHarness()
            let logger = testLogger("agents")
            let hub = AgentHub(logger: logger)
            let token = try LocalToken.loadOrCreate(directory: harness.directory + "/device")
            let api = try await LocalAPIServer.start(
                configuration: LocalAPIConfiguration(port: 0), store: harness.store, token: token,
                metrics: PrometheusMetricsFactory(logger: logger), agents: hub, logger: logger)
            let messaging = MessagingHandler(
                store: harness.store, deviceID: testDevice, tenantID: testTenant, bindings: ["cfg-line-1": "ws-sales"],
                defaultWorkspace: nil, logger: logger
            ) { request in
                let task = AgentTask(
                    requestID: request.requestID, workspaceID: request.workspaceID, channel: request.channel,
                    userID: request.userID, text: request.text, event: request.event)
                switch await hub.dispatch(workspaceID: request.workspaceID, task: task, wait: .milliseconds(500), replyTimeout: .seconds(10)) {
                case .replied(let text): return .reply(text: text)
                case let other: return .failed(reason: "\(other)")
                }
            }
            let transport = TransportHandler(
                store: harness.store, executor: CommandExecutor(handlersDirectory: harness.directory + "/handlers"),
                deviceID: testDevice, tenantID: testTenant, logger: logger)
            let (inbound, sink) = AsyncStream.makeStream(of: InboundFrame.self)
            let link = ConnectorService(settings: await harness.settings(), store: harness.store, logger: logger) { sink.yield($0) }
            let work = ExecutionService(transport: transport, messaging: messaging, inbound: inbound, logger: logger)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: link), .init(service: work), .init(service: api)], logger: logger))
            let running = RunningConnector(group: group, task: Task { try await group.run() })
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }

            // The agent: a plain WebSocket client with the local token.
            let loop = try WebSocketEventLoop(name: "test-agent", logger: logger)
            let agent = try await loop.connect(WebSocketClientConfiguration(
                url: "ws://127.0.0.1:\(api.port)/ws/agent", headers: ["Authorization": token.authorizationHeaderValue]))
            try agent.send(text: #"{"type":"register","workspaces":["ws-sales"]}"#)
            let answering = Task {
                var seenToken = false
                for await event in agent.events {
                    guard case .text(let text) = event, let frame = try? JSON.parse(text) else { continue }
                    if text.contains("line-reply-token-9") { seenToken = true }
                    if frame["type"] == "message", let taskID = frame["task_id"]?.stringValue {
                        let said = frame["text"]?.stringValue ?? ""
                        try? agent.send(text: String(decoding: JSON.encode(["type": "reply", "task_id": .string(taskID), "text": .string("you said: " + said)]), as: UTF8.self))
                    }
                }
                return seenToken
            }
            try await eventually("the agent registered") { await hub.agentCount(for: "ws-sales") == 1 }

            func event(_ id: String, _ config: String) -> JSONValue {
                ["type": "messaging_event", "payload": [
                    "request_id": .string(id), "channel": "line", "event_type": "message", "user_id": "U4af4980629",
                    "reply_token": "line-reply-token-9", "message": ["type": "text", "text": "weekly report please"],
                    "channel_config_id": .string(config), "timestamp": "2026-11-25T10:00:00.000Z",
                ]]
            }
            try await harness.cloud.send(event("msg-1", "cfg-line-1"), to: testDevice)
            try await harness.cloud.send(event("msg-2", "cfg-line-2"), to: testDevice)
            try await harness.cloud.send(["type": "messaging_event", "payload": .object(event("msg-3", "cfg-line-1")["payload"]!.objectValue!.replacing("channel_config_id", with: "cfg-unbound-but-ws", workspace: "ws-nobody"))], to: testDevice)
            try await eventually("three replies on the cloud") {
                try await harness.cloud.messages(deviceID: testDevice).filter { $0.type == "messaging_reply" }.count == 3
            }
            let replies = try await harness.cloud.messages(deviceID: testDevice).filter { $0.type == "messaging_reply" }
                .compactMap { try? JSON.parse($0.payload) }
            let byID = Dictionary(uniqueKeysWithValues: replies.map { ($0["request_id"]?.stringValue ?? "", $0) })
            #expect(byID["msg-1"]?["result"]?["status"] == "completed")
            #expect(byID["msg-1"]?["result"]?["reply_text"] == "you said: weekly report please")
            #expect(byID["msg-1"]?["reply_token"] == "line-reply-token-9", "the reply carries the token back to the cloud")
            #expect(byID["msg-2"]?["result"]?["status"] == "error", "no binding for cfg-line-2")
            #expect(byID["msg-3"]?["result"]?["status"] == "error", "no agent for ws-nobody within the wait")
            #expect(byID["msg-3"]?["result"]?["error"]?.stringValue?.contains("noAgent") == true)
            agent.close()
            #expect(await answering.value == false, "the agent never saw the reply_token")
            try await running.stop()
            await loop.shutdown()
            await harness.finish()
        }
    }
}

extension JSONObject {
    /// A copy with `key` set and a workspace_id added, for building test events.
    fileprivate func replacing(_ key: String, with value: String, workspace: String) -> JSONObject {
        var copy = self
        copy[key] = .string(value)
        copy["workspace_id"] = .string(workspace)
        return copy
    }
}
