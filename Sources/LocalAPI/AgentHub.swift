import Foundation
public import Logging

/// Where messaging tasks meet the local agents connected on `/ws/agent` (the seed's
/// AgentDispatchManager). Agents register for workspace ids; `dispatch` hands a task to one of the
/// workspace's agents and waits for its answer. The wire format is in AGENT_PROTOCOL.md:
///
///   agent → hub  {"type":"register","workspaces":["ws-1",…]}
///   hub → agent  {"type":"registered","workspaces":[…every workspace this agent holds…]}
///   hub → agent  {"type":"message","task_id","request_id","workspace_id","channel","user_id","text",
///                 "event":{…the messaging_event without reply_token…}}
///   agent → hub  {"type":"reply","task_id","text"}  or  {"type":"error","task_id","message"}
///   hub → agent  {"type":"error","message"}  a frame the hub could not use (dropped; no task_id)
///
/// A workspace may have several agents: tasks go round-robin among them, and a newer registration
/// never displaces an older one (two agents for one workspace is how an agent is upgraded without a
/// gap). Bad frames are answered with an error and dropped; the agent stays connected.
public actor AgentHub {
    let logger: Logger
    /// Ids for agents and parked waits; never reused, so a late wake-up cannot hit the wrong wait.
    var nextID: UInt64 = 0
    var agents: [UInt64: ConnectedAgent] = [:]
    /// Per workspace, its agents in the order they get the next task (the head goes next, then
    /// moves to the back).
    var rotation: [String: [UInt64]] = [:]
    /// Dispatches waiting for any agent of a workspace to register, by parked-wait id.
    var registrationWaiters: [String: Set<UInt64>] = [:]
    /// Tasks sent and not yet answered, by task id.
    var pending: [String: PendingTask] = [:]
    var parked: [UInt64: ParkedWait] = [:]

    public init(logger: Logger) {
        self.logger = logger
    }

    /// How many agents are registered for `workspaceID` right now.
    public func agentCount(for workspaceID: String) -> Int {
        rotation[workspaceID]?.count ?? 0
    }

    /// Every workspace with at least one agent, sorted, for status pages and logs.
    public func registeredWorkspaces() -> [String] {
        rotation.filter { !$0.value.isEmpty }.keys.sorted()
    }

    /// Sends `task` to an agent of `workspaceID` (which also becomes the frame's workspace_id) and
    /// returns its answer.
    ///
    /// - With no agent registered, waits up to `wait` for one to register, else `.noAgent(waited: wait)`.
    /// - Once sent, waits up to `replyTimeout` for the answer, else `.timedOut(after: replyTimeout)`.
    ///   The agent is not told: a late answer is refused as unknown.
    /// - If the agent disconnects first, the same task (same task_id) goes to another agent of the
    ///   workspace, one registered now or within what is left of `wait` (counted from this call);
    ///   failing that `.agentError(message: "the agent disconnected")`. Each send gets its own
    ///   `replyTimeout`.
    /// - Cancelling the calling task ends the call at once with `.agentError(message: "the dispatch
    ///   was cancelled")`.
    public func dispatch(
        workspaceID: String, task: AgentTask, wait: Duration, replyTimeout: Duration
    ) async -> AgentDispatchResult {
        let waitDeadline = ContinuousClock.now + wait
        let taskID = "task-" + UUID().uuidString.lowercased()
        var routed = task
        routed.workspaceID = workspaceID
        let frame = AgentOutbound.message(taskID: taskID, routed)
        let metadata: Logger.Metadata = [
            "task.id": "\(taskID)", "request.id": "\(task.requestID)", "workspace.id": "\(workspaceID)",
        ]
        var lostAnAgent = false
        while true {
            guard !Task.isCancelled else { return cancelled(metadata) }
            guard let agentID = nextAgent(for: workspaceID) else {
                switch await awaitRegistration(workspaceID, until: waitDeadline) {
                case .registered: continue
                case .cancelled: return cancelled(metadata)
                default: break
                }
                if lostAnAgent {
                    logger.notice("agent task failed: its agent disconnected and no other took it over", metadata: metadata)
                    return .agentError(message: "the agent disconnected")
                }
                logger.notice(
                    "no agent registered for the workspace within the wait",
                    metadata: metadata.merging(["wait": "\(wait)"]) { $1 })
                return .noAgent(waited: wait)
            }
            guard let agent = agents[agentID], agent.link.send(frame) else {
                // The socket closed under us; its session will report it too (forget is idempotent).
                forget(agentID, reason: "a send failed")
                lostAnAgent = true
                continue
            }
            logger.debug("agent task sent", metadata: metadata.merging(["agent.id": "\(agentID)"]) { $1 })
            switch await awaitAnswer(taskID, from: agentID, until: ContinuousClock.now + replyTimeout) {
            case .answered(let result):
                logger.debug("agent task answered", metadata: metadata.merging(["agent.id": "\(agentID)"]) { $1 })
                return result
            case .timeout:
                logger.warning(
                    "agent task timed out",
                    metadata: metadata.merging(["agent.id": "\(agentID)", "timeout": "\(replyTimeout)"]) { $1 })
                return .timedOut(after: replyTimeout)
            case .cancelled:
                return cancelled(metadata)
            case .agentGone, .registered:
                logger.info("the agent holding a task disconnected; dispatching it again", metadata: metadata)
                lostAnAgent = true
            }
        }
    }

    private func cancelled(_ metadata: Logger.Metadata) -> AgentDispatchResult {
        logger.info("agent task cancelled by its caller", metadata: metadata)
        return .agentError(message: "the dispatch was cancelled")
    }

    /// The head of the workspace's rotation, moved to the back.
    private func nextAgent(for workspaceID: String) -> UInt64? {
        guard var order = rotation[workspaceID] else { return nil }
        // `forget` keeps the two in step; this only guards the dispatch loop from spinning on an id
        // that has no agent behind it.
        order.removeAll { agents[$0] == nil }
        guard !order.isEmpty else {
            rotation[workspaceID] = nil
            return nil
        }
        let next = order.removeFirst()
        order.append(next)
        rotation[workspaceID] = order
        return next
    }
}
