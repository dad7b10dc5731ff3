public import ConnectorCore
import Foundation
public import Logging
public import OutboxStore

/// A message for a local agent of one workspace, as the MessagingHandler hands it on. The
/// `reply_token` is not in it: only the connector answers the cloud.
public struct AgentRequest: Sendable, Equatable {
    public var requestID: String
    public var workspaceID: String
    public var channel: String
    public var userID: String
    public var text: String
    /// The event without its reply_token.
    public var event: JSONObject
}

/// What the local side answered.
public enum AgentAnswer: Sendable, Equatable {
    case reply(text: String)
    /// No answer: the text says why (no agent within the wait, the agent failed, …).
    case failed(reason: String)
}

/// The seed's MessagingHandler: answers every `messaging_event` with exactly one
/// `messaging_reply` (PROTOCOL §4, R11, R12). A redelivered request id gets `duplicate`; another
/// tenant's event gets `error`; an event_type other than `message` gets `ignored`; empty text gets
/// `error`; otherwise the event is routed to a workspace — its own `workspace_id`, else the
/// configured binding of its `channel_config_id`, else the configured default, else an `error`
/// reply naming the missing binding (never "the first workspace") — and handed to that
/// workspace's agent; the agent's text becomes a `completed` reply.
///
/// The inbox row is written with the reply, in one unit: a request is recorded as answered exactly
/// when its answer is in the outbox. One still being answered is known in memory, so a redelivery
/// meanwhile is a duplicate too; after a crash mid-answer it is answered again.
public actor MessagingHandler {
    let store: OutboxStore
    let deviceID: String
    let tenantID: String
    let bindings: [String: String]
    let defaultWorkspace: String?
    let dispatch: @Sendable (AgentRequest) async -> AgentAnswer
    let logger: Logger
    let clock: any WallClock
    var inProgress: Set<String> = []
    var tasks: [String: Task<Void, Never>] = [:]

    public init(
        store: OutboxStore, deviceID: String, tenantID: String, bindings: [String: String], defaultWorkspace: String?,
        logger: Logger, clock: any WallClock = SystemWallClock(),
        dispatch: @escaping @Sendable (AgentRequest) async -> AgentAnswer
    ) {
        self.store = store
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.bindings = bindings
        self.defaultWorkspace = defaultWorkspace
        self.dispatch = dispatch
        self.logger = logger
        self.clock = clock
    }

    /// A validated event's fields a reply needs.
    struct Event: Sendable {
        let requestID: String
        let channel: String
        let userID: String
        let replyToken: String
        let channelConfigID: String
    }

    public func handle(_ inbound: InboundRequest) async {
        let payload = inbound.payload
        guard let event = Self.replyFields(payload, requestID: inbound.requestID) else {
            logger.warning(
                "dropped a messaging_event that lacks what a reply needs (channel, user_id, reply_token, channel_config_id)",
                metadata: ["request.id": "\(inbound.requestID)"])
            return
        }
        if inProgress.contains(event.requestID) || isAnswered(event.requestID) {
            logger.notice("duplicate messaging_event (R11)", metadata: ["request.id": "\(event.requestID)"])
            await reply(event, status: "duplicate", record: false)
            return
        }
        if let tenant = payload["tenant_id"]?.stringValue, tenant != tenantID {
            await reply(event, status: "error", error: "the event is for tenant \"\(tenant)\"; this device belongs to \"\(tenantID)\"")
            return
        }
        guard payload["event_type"]?.stringValue == "message" else {
            await reply(event, status: "ignored")
            return
        }
        let text = payload["message"]?["text"]?.stringValue ?? ""
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            await reply(event, status: "error", error: "the message has no text")
            return
        }
        guard let workspace = route(payload, event) else {
            await reply(
                event, status: "error",
                error: "no workspace for channel_config_id \"\(event.channelConfigID)\": the event names none, "
                    + "config.json has no messaging.bindings entry for it and no messaging.default_workspace")
            return
        }
        var forwarded = payload
        forwarded["reply_token"] = nil
        let request = AgentRequest(
            requestID: event.requestID, workspaceID: workspace, channel: event.channel, userID: event.userID, text: text,
            event: forwarded)
        inProgress.insert(event.requestID)
        let dispatch = self.dispatch
        // Each message waits for its own agent: one slow workspace never holds up another.
        tasks[event.requestID] = Task {
            let answer = await dispatch(request)
            await self.answered(event, workspace: workspace, answer)
        }
    }

    /// Waits for every message being answered; for shutdown and tests.
    public func drain() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    private func answered(_ event: Event, workspace: String, _ answer: AgentAnswer) async {
        switch answer {
        case .reply(let text):
            await reply(event, status: "completed", text: text, workspace: workspace)
        case .failed(let reason):
            await reply(event, status: "error", error: reason, workspace: workspace)
        }
        inProgress.remove(event.requestID)
        tasks[event.requestID] = nil
    }

    private func route(_ payload: JSONObject, _ event: Event) -> String? {
        if let workspace = payload["workspace_id"]?.stringValue, !workspace.isEmpty { return workspace }
        return bindings[event.channelConfigID] ?? defaultWorkspace
    }

    private func isAnswered(_ requestID: String) -> Bool {
        ((try? store.makeReader().inboxEntry(requestID: requestID)) ?? nil) != nil
    }

    static func replyFields(_ payload: JSONObject, requestID: String) -> Event? {
        guard let channel = payload["channel"]?.stringValue, !channel.isEmpty,
            let user = payload["user_id"]?.stringValue, !user.isEmpty,
            let token = payload["reply_token"]?.stringValue, !token.isEmpty,
            let config = payload["channel_config_id"]?.stringValue, !config.isEmpty
        else { return nil }
        return Event(requestID: requestID, channel: channel, userID: user, replyToken: token, channelConfigID: config)
    }

    /// Appends the reply, with the inbox row unless it answers a duplicate (the first answer's row stays).
    private func reply(
        _ event: Event, status: String, text: String? = nil, error: String? = nil, workspace: String? = nil,
        record: Bool = true
    ) async {
        let now = clock.nowMilliseconds()
        var result: JSONObject = ["status": .string(status)]
        if let text { result["reply_text"] = .string(text) }
        if let workspace { result["workspace_id"] = .string(workspace) }
        if let error { result["error"] = .string(error) }
        let draft = MessageDraft(type: .messagingReply, payload: [
            "request_id": .string(event.requestID), "channel": .string(event.channel), "user_id": .string(event.userID),
            "reply_token": .string(event.replyToken), "channel_config_id": .string(event.channelConfigID),
            "device_id": .string(deviceID), "result": .object(result),
            "timestamp": .string(RFC3339.format(milliseconds: now)),
        ])
        let rows = record
            ? InboxRows.answered(event.requestID, kind: .messagingEvent, jobType: nil, outcome: status, atMS: now) : nil
        do {
            _ = try await store.append([draft], rows: rows)
            logger.info("replied", metadata: ["request.id": "\(event.requestID)", "status": "\(status)"])
        } catch {
            logger.error("could not append a messaging_reply", metadata: ["request.id": "\(event.requestID)", "error": "\(error)"])
        }
    }
}
