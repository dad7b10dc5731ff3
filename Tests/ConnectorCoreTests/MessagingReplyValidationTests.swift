import ConnectorCore
import Testing

@Suite struct MessagingReplyValidationTests {
    static let reply: JSONValue = [
        "request_id": "req-9", "channel": "line", "user_id": "U123", "reply_token": "rt-1",
        "channel_config_id": "cc-1", "device_id": "dev-1",
        "result": ["status": "completed", "reply_text": "Hello!", "workspace_id": "ws-1"],
        "timestamp": timestamp,
    ]

    @Test(arguments: ["completed", "error", "ignored", "duplicate"])
    func acceptsEveryStatus(status: String) throws {
        let payload = setting(.string(status), at: ["result", "status"], in: Self.reply)
        let fields = try OutboxPayload.validate(type: .messagingReply, payload: payload)
        #expect(fields == OutboxFields(
            requestID: "req-9", timestampMS: timestampMS,
            detail: .reply(ReplyFields(channel: "line", status: status, userID: "U123"))))
        #expect(fields.naturalKey == nil)
    }

    @Test func acceptsAnErrorResultWithAnyErrorValue() {
        let payload = setting(["status": "error", "error": ["code": "tenant_mismatch"]], at: ["result"], in: Self.reply)
        #expect(validationError(.messagingReply, payload) == nil)
        let minimal = setting(["status": "ignored", "reply_text": nil], at: ["result"], in: Self.reply)
        #expect(validationError(.messagingReply, minimal) == nil)
    }

    @Test(arguments: [
        Rejection("request_id", nil, "payload.request_id: is required"),
        Rejection("channel", nil, "payload.channel: is required"),
        Rejection("channel", "", "payload.channel: must be a non-empty string"),
        Rejection("user_id", nil, "payload.user_id: is required"),
        Rejection("user_id", tooLongIdentifier, "payload.user_id: must be at most 256 UTF-8 bytes"),
        Rejection("reply_token", nil, "payload.reply_token: is required"),
        Rejection("reply_token", 5, "payload.reply_token: must be a string"),
        Rejection("channel_config_id", nil, "payload.channel_config_id: is required"),
        Rejection("device_id", nil, "payload.device_id: is required"),
        Rejection("device_id", "", "payload.device_id: must be a non-empty string"),
        Rejection("result", nil, "payload.result: is required"),
        Rejection("result", "completed", "payload.result: must be an object"),
        Rejection("result.status", nil, "payload.result.status: is required"),
        Rejection("result.status", "done", "payload.result.status: must be one of completed, error, ignored, duplicate"),
        Rejection("result.reply_text", 1, "payload.result.reply_text: must be a string"),
        Rejection("result.workspace_id", [], "payload.result.workspace_id: must be a string"),
        Rejection("timestamp", nil, "payload.timestamp: is required"),
        Rejection("timestamp", "2026-11-24T25:00:00Z", "payload.timestamp: must be an RFC 3339 time"),
    ])
    func rejects(rejection: Rejection) {
        let payload = setting(rejection.value, at: rejection.path, in: Self.reply)
        #expect(validationError(.messagingReply, payload)?.description == rejection.expected)
    }
}
