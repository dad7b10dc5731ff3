import ConnectorCore
import OutboxStore
import Testing

/// POST /v1/events and /v1/replies: the same contract as usage, and the reply retry rule.
@Suite struct EventAndReplyAppendTests {
    @Test func eventIsStoredRetriedAndConflicted() async throws {
        try await withAPI { api in
            let payload = Payloads.event(eventID: "ev-1", type: "progress", data: ["progress": .number(JSONNumber(literal: "0.5")!)])
            let created = try await api.post("/v1/events", payload)
            #expect(created.status == 201, "\(created.bodyText)")
            #expect(created.string("type") == "execution_event")
            let seq = try #require(created.int("seq"))
            #expect(try api.stored(seq: seq)?.payload == JSON.encode(payload))

            let retry = try await api.post("/v1/events", payload)
            #expect(retry.status == 200)
            #expect(retry.json?["duplicate"] == true)
            #expect(retry.int("seq") == seq)

            let conflict = try await api.post("/v1/events", Payloads.event(eventID: "ev-1", type: "started"))
            #expect(conflict.status == 409)

            let invalid = try await api.post("/v1/events", Payloads.event(type: "exploded"))
            #expect(invalid.status == 400)
            #expect(invalid.string("field") == "payload.event_type", "\(invalid.bodyText)")
            #expect(try api.count(.executionEvent) == 1)
        }
    }

    @Test func replyIsStoredAndAnIdenticalRetryIsNot() async throws {
        try await withAPI { api in
            let payload = Payloads.reply(requestID: "msg-7")
            let created = try await api.post("/v1/replies", payload)
            #expect(created.status == 201, "\(created.bodyText)")
            #expect(created.string("type") == "messaging_reply")
            let seq = try #require(created.int("seq"))
            #expect(try api.stored(seq: seq)?.payload == JSON.encode(payload))

            let retry = try await api.post("/v1/replies", payload)
            #expect(retry.status == 200, "\(retry.bodyText)")
            #expect(retry.json?["duplicate"] == true)
            #expect(retry.int("seq") == seq)
            #expect(retry.string("id") == created.string("id"))

            // Another reply to the same request (e.g. the `duplicate` answer to a redelivery) is a new message.
            let second = try await api.post("/v1/replies", Payloads.reply(requestID: "msg-7", text: "again"))
            #expect(second.status == 201)
            #expect(try api.count(.messagingReply) == 2)

            let invalid = try await api.post("/v1/replies", Payloads.with(payload, "channel", nil))
            #expect(invalid.status == 400)
            #expect(invalid.string("field") == "payload.channel", "\(invalid.bodyText)")
        }
    }

    @Test func concurrentIdenticalRepliesAreStoredOnce() async throws {
        try await withAPI { api in
            let payload = Payloads.reply(requestID: "msg-race")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await api.post("/v1/replies", payload).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 200, 200, 200, 200, 201])
            #expect(try api.count(.messagingReply) == 1)
        }
    }

    @Test func concurrentIdenticalUsageRetriesAreStoredOnce() async throws {
        try await withAPI { api in
            let payload = Payloads.usage(reportID: "rep-race")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await api.post("/v1/usage", payload).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 200, 200, 200, 200, 201])
            #expect(try api.count(.usageReport) == 1)
        }
    }
}
