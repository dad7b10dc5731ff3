import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore
import Synchronization
import Testing

extension LinkSuites {
    @Suite("MessagingHandler: one reply per event (R11, R12)", .timeLimit(.minutes(1)))
    struct MessagingTests {
        static func event(_ id: String, _ extra: JSONObject = [:]) -> InboundRequest {
            var payload: JSONObject = [
                "request_id": .string(id), "channel": "line", "event_type": "message", "user_id": "U1",
                "reply_token": "secret-reply-token", "message": ["type": "text", "text": "hello"],
                "channel_config_id": "cfg-1", "timestamp": "2026-11-25T10:00:00.000Z",
            ]
            for (key, value) in extra { payload[key] = value }
            return InboundRequest(requestID: id, payload: payload)
        }

        /// The replies in the outbox, in order: (request_id, result).
        static func replies(_ store: OutboxStore) throws -> [(String, JSONValue)] {
            var filter = InspectFilter()
            filter.type = .messagingReply
            let reader = try store.makeReader()
            return try reader.inspect(filter).compactMap { row in
                guard let message = try reader.message(seq: row.seq),
                    let envelope = try? JSON.parse(message.envelope) else { return nil }
                return (row.requestID, envelope["payload"]?["result"] ?? .null)
            }
        }

        @Test("routing, refusals, duplicates; the agent never sees the reply_token")
        func everyPath() async throws {
            let harness = try await LinkHarness()
            let seen = Mutex<[AgentRequest]>([])
            let handler = MessagingHandler(
                store: harness.store, deviceID: testDevice, tenantID: testTenant, bindings: ["cfg-bound": "ws-bound"],
                defaultWorkspace: nil, logger: testLogger("messaging")
            ) { request in
                seen.withLock { $0.append(request) }
                return request.text == "fail" ? .failed(reason: "no agent for \(request.workspaceID) within 0 ms") : .reply(text: "hi " + request.userID)
            }
            await handler.handle(Self.event("m-explicit", ["workspace_id": "ws-1"]))
            await handler.handle(Self.event("m-bound", ["channel_config_id": "cfg-bound"]))
            await handler.handle(Self.event("m-unrouted"))
            await handler.handle(Self.event("m-follow", ["event_type": "follow", "workspace_id": "ws-1"]))
            await handler.handle(Self.event("m-empty", ["message": ["type": "text", "text": "  "], "workspace_id": "ws-1"]))
            await handler.handle(Self.event("m-tenant", ["tenant_id": "other", "workspace_id": "ws-1"]))
            await handler.handle(Self.event("m-fail", ["message": ["type": "text", "text": "fail"], "workspace_id": "ws-1"]))
            await handler.drain()
            await handler.handle(Self.event("m-explicit", ["workspace_id": "ws-1"]))

            let replies = try Self.replies(harness.store)
            let byID = Dictionary(grouping: replies, by: \.0).mapValues { $0.map(\.1) }
            #expect(byID["m-explicit"]?.map { $0["status"]?.stringValue } == ["completed", "duplicate"])
            #expect(byID["m-explicit"]?.first?["reply_text"] == "hi U1")
            #expect(byID["m-bound"]?.first?["workspace_id"] == "ws-bound")
            #expect(byID["m-unrouted"]?.first?["status"] == "error")
            #expect(byID["m-unrouted"]?.first?["error"]?.stringValue?.contains("cfg-1") == true)
            #expect(byID["m-follow"]?.first?["status"] == "ignored")
            #expect(byID["m-empty"]?.first?["status"] == "error")
            #expect(byID["m-tenant"]?.first?["status"] == "error")
            #expect(byID["m-fail"]?.first?["status"] == "error")
            #expect(replies.count == 8)
            let forwarded = seen.withLock { $0 }
            #expect(Set(forwarded.map(\.requestID)) == ["m-explicit", "m-bound", "m-fail"], "the duplicate was not forwarded")
            #expect(forwarded.allSatisfy { $0.event["reply_token"] == nil })
            await harness.finish()
        }
    }
}
