import CloudConnector
import ConnectorCore
import Executors
import LocalAPI
import Logging

/// Where `run` sends a message for its answer: the workspace's agent on the local API's
/// `/ws/agent`, waiting up to `wait` for one to register and up to `replyTimeout` for its reply.
/// When no agent registered within the wait and config.json names a `messaging.handler`, that
/// command handler answers instead; without one the message gets an `error` reply. An agent that
/// got the message and failed, timed out or disconnected is not second-guessed by the handler: its
/// failure is the answer.
struct MessagingDispatch: Sendable {
    let agents: AgentHub
    let wait: Duration
    /// For an agent's reply, and for the fallback handler's run.
    let replyTimeout: Duration
    let fallback: MessagingFallback?
    let logger: Logger

    init(
        agents: AgentHub, wait: Duration, replyTimeout: Duration? = nil, fallback: MessagingFallback?, logger: Logger
    ) {
        self.agents = agents
        self.wait = wait
        self.replyTimeout = replyTimeout ?? max(wait, .seconds(30))
        self.fallback = fallback
        self.logger = logger
    }

    /// For `MessagingHandler(dispatch:)`.
    var closure: @Sendable (AgentRequest) async -> AgentAnswer {
        { request in await answer(request) }
    }

    func answer(_ request: AgentRequest) async -> AgentAnswer {
        let task = AgentTask(
            requestID: request.requestID, workspaceID: request.workspaceID, channel: request.channel,
            userID: request.userID, text: request.text, event: request.event)
        switch await agents.dispatch(
            workspaceID: request.workspaceID, task: task, wait: wait, replyTimeout: replyTimeout)
        {
        case .replied(let text): return .reply(text: text)
        case .agentError(let message): return .failed(reason: "the agent failed: \(message)")
        case .timedOut(let after): return .failed(reason: "the agent did not reply within \(after)")
        case .noAgent(let waited):
            let noAgent = "no agent for workspace \(request.workspaceID) connected within \(waited)"
            guard let fallback else { return .failed(reason: noAgent) }
            logger.info(
                "no agent for the workspace; the messaging handler answers",
                metadata: [
                    "request.id": "\(request.requestID)", "workspace.id": "\(request.workspaceID)",
                    "handler": "\(fallback.label)",
                ])
            switch await fallback.answer(request, timeout: replyTimeout) {
            case .reply(let text): return .reply(text: text)
            case .failed(let reason): return .failed(reason: "\(noAgent), and \(reason)")
            }
        }
    }
}

/// config.json's `messaging.handler`: a command handler, `<handlers_dir>/tools/NAME`, run through
/// the `CommandExecutor` like any tool (its own process group, clean environment without tokens,
/// capped output, the group killed on timeout). It gets one JSON line on stdin,
/// `{"request_id", "job_type": "tool", "name", "inputs": {"request_id", "workspace_id", "channel",
/// "user_id", "text", "event"}, "request": event}`, where `event` is the messaging_event without
/// any `reply_token` (nor `replyToken`, at any depth), and answers with a `result` line whose
/// `result` is the reply text: a string, or an object with a string `reply_text`.
struct MessagingFallback: Sendable {
    /// The tool name of the handler.
    let handler: String
    let executor: any Executor

    /// The reply text must fit in a messaging_reply under PROTOCOL R3's 1 MiB with room to spare.
    static let limits = HandlerOutputLimits(maxResultBytes: 512 << 10)

    /// "tools/NAME", for messages.
    var label: String { "tools/" + handler }

    init(handler: String, executor: any Executor) {
        self.handler = handler
        self.executor = executor
    }

    /// The configured handler, or nil when config.json names none. `workRoot` is the executions'
    /// working-folder root (`<data>/work`), which `run` creates and sweeps at start.
    init?(_ config: ConfigFile, directory: DataDirectory) {
        guard let handler = config.messagingHandler else { return nil }
        self.init(
            handler: handler,
            executor: CommandExecutor(
                handlersDirectory: config.handlersDirectory ?? directory.file("handlers"), limits: Self.limits,
                workRoot: directory.file("work")))
    }

    /// Runs the handler for `request`; a run longer than `timeout` is cancelled (its process group
    /// killed) and fails. The failure's reason names the handler.
    func answer(_ request: AgentRequest, timeout: Duration) async -> AgentAnswer {
        let job = Self.job(for: request, handler: handler)
        let executor = self.executor
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { .finished(await executor.execute(job) { _ in }) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .finished(.failed(
                        code: ExecutorErrorCode.cancelled, message: "the dispatch was cancelled", retryable: false))
                }
            }
            // The first to end wins; the other is cancelled, and the group waits for it, so a handler
            // that timed out is gone (its whole process group) before the answer is given.
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch ending {
        case .timedOut:
            return .failed(reason: "the messaging handler \(label) did not answer within \(timeout)")
        case .finished(.failed(let code, let message, _)):
            return .failed(reason: "the messaging handler \(label) failed (\(code)): \(message)")
        case .finished(.completed(let result)):
            guard let text = Self.replyText(result) else {
                return .failed(
                    reason: "the messaging handler \(label) gave no reply text: its result must be a non-empty "
                        + "string or an object with a non-empty string reply_text")
            }
            return .reply(text: text)
        }
    }

    private enum Ending: Sendable {
        case finished(ExecutorOutcome)
        case timedOut
    }

    static func replyText(_ result: JSONValue) -> String? {
        let text = result.stringValue ?? result["reply_text"]?.stringValue
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// The message as the handler's job. The event never carries a reply token to the handler: the
    /// token lets its holder answer the user through the channel, which only the connector does.
    static func job(for request: AgentRequest, handler: String) -> ExecutionJob {
        let event = withoutReplyToken(request.event)
        let message = JSONObject([
            ("request_id", .string(request.requestID)), ("workspace_id", .string(request.workspaceID)),
            ("channel", .string(request.channel)), ("user_id", .string(request.userID)),
            ("text", .string(request.text)), ("event", .object(event)),
        ])
        return ExecutionJob(requestID: request.requestID, kind: .tool, name: handler, inputs: message, request: event)
    }

    /// `object` with every `reply_token` and `replyToken` removed, at any depth (as the agent hub
    /// does for agents).
    static func withoutReplyToken(_ object: JSONObject) -> JSONObject {
        JSONObject(object.compactMap { entry -> (String, JSONValue)? in
            entry.key == "reply_token" || entry.key == "replyToken" ? nil : (entry.key, withoutReplyToken(entry.value))
        })
    }

    private static func withoutReplyToken(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(withoutReplyToken(object))
        case .array(let items): .array(items.map(withoutReplyToken))
        default: value
        }
    }
}
