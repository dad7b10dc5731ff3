/// `messaging_reply`: {request_id, channel, user_id, reply_token, channel_config_id, device_id,
/// result: {status, reply_text?, workspace_id?, error?}, timestamp}.
enum MessagingReplyValidation {
    static let statuses = ["completed", "error", "ignored", "duplicate"]

    static func validate(_ payload: PayloadReader) throws(PayloadError) -> OutboxFields {
        let requestID = try payload.identifier("request_id")
        let channel = try payload.identifier("channel")
        let userID = try payload.identifier("user_id")
        _ = try payload.identifier("reply_token")
        _ = try payload.identifier("channel_config_id")
        _ = try payload.identifier("device_id")

        let result = try payload.object("result")
        let status = try result.string("status")
        guard statuses.contains(status) else {
            throw result.failure("status", "must be one of " + statuses.joined(separator: ", "))
        }
        _ = try result.optionalString("reply_text")
        _ = try result.optionalString("workspace_id")

        let timestamp = try payload.timestamp("timestamp")
        let fields = ReplyFields(channel: channel, status: status, userID: userID)
        return OutboxFields(requestID: requestID, timestampMS: timestamp, detail: .reply(fields))
    }
}
