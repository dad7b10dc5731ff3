public import ConnectorCore

/// One message for a local agent: what the MessagingHandler hands to `AgentHub.dispatch`.
public struct AgentTask: Sendable {
    /// The cloud's `request_id` of the messaging_event, passed to the agent for its logs.
    public var requestID: String
    public var workspaceID: String
    public var channel: String
    public var userID: String
    public var text: String
    /// The messaging_event payload. The hub strips `reply_token` before anything reaches an agent:
    /// the token lets its holder answer the user through the channel, which is the connector's job.
    public var event: JSONObject

    public init(requestID: String, workspaceID: String, channel: String, userID: String, text: String, event: JSONObject) {
        self.requestID = requestID
        self.workspaceID = workspaceID
        self.channel = channel
        self.userID = userID
        self.text = text
        self.event = event
    }
}

/// How a dispatch ended. Every case is final: the hub never answers a task twice.
public enum AgentDispatchResult: Sendable, Equatable {
    /// The agent answered; `text` becomes the messaging_reply's `reply_text`.
    case replied(text: String)
    /// The agent reported a failure, or the agent holding the task disconnected and no other agent
    /// took it over in time ("the agent disconnected"), or the caller was cancelled.
    case agentError(message: String)
    /// No agent was registered for the workspace during the whole wait.
    case noAgent(waited: Duration)
    /// The agent got the task but did not answer within the reply timeout.
    case timedOut(after: Duration)
}
