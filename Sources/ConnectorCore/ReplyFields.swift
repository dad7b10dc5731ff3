/// What a `messaging_reply` payload yields beyond the common fields.
public struct ReplyFields: Sendable, Equatable {
    public var channel: String
    /// `result.status`: completed, error, ignored or duplicate.
    public var status: String
    public var userID: String

    public init(channel: String, status: String, userID: String) {
        self.channel = channel
        self.status = status
        self.userID = userID
    }
}
