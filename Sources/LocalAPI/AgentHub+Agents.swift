import Logging

/// How the hub reaches one connected agent. A closure rather than the connection itself, so the hub
/// does not care how the agent is connected.
struct AgentLink: Sendable {
    /// Queues one text frame; false when the connection is already closed.
    let send: @Sendable (String) -> Bool
    /// For logs: where the agent connected from.
    let endpoint: String
}

struct ConnectedAgent {
    let link: AgentLink
    /// In the order the agent registered them.
    var workspaces: [String] = []
}

/// The connection side: AgentSession reports each agent's frames and its end here.
extension AgentHub {
    /// A new agent connection, not yet registered for anything; returns its id for the other calls.
    func attach(_ link: AgentLink) -> UInt64 {
        let id = makeID()
        agents[id] = ConnectedAgent(link: link)
        logger.info("agent connected", metadata: ["agent.id": "\(id)", "endpoint": "\(link.endpoint)"])
        return id
    }

    /// One text frame from the agent.
    func receive(_ text: String, from id: UInt64) {
        guard agents[id] != nil else { return }
        let frame: AgentInbound
        do {
            frame = try AgentInbound.parse(text)
        } catch {
            refuse(error.reason, from: id)
            return
        }
        switch frame {
        case .register(let workspaces):
            register(id, workspaces)
        case .reply(let taskID, let text):
            answer(taskID, from: id, .replied(text: text))
        case .error(let taskID, let message):
            answer(taskID, from: id, .agentError(message: message))
        }
    }

    /// Drops a frame the hub cannot use and tells the agent why. The frame's content is not logged:
    /// it may hold a user's message.
    func refuse(_ reason: String, from id: UInt64) {
        guard let agent = agents[id] else { return }
        logger.info("agent frame dropped", metadata: ["agent.id": "\(id)", "reason": "\(reason)"])
        _ = agent.link.send(AgentOutbound.error(reason))
    }

    /// The agent's connection ended.
    func detach(_ id: UInt64) {
        forget(id, reason: "its connection closed")
    }

    /// Removes the agent everywhere and hands each task it held back to its dispatch. Idempotent.
    func forget(_ id: UInt64, reason: String) {
        guard let agent = agents.removeValue(forKey: id) else { return }
        for workspace in agent.workspaces {
            rotation[workspace]?.removeAll { $0 == id }
            if rotation[workspace]?.isEmpty == true { rotation[workspace] = nil }
        }
        for task in pending.values where task.agent == id { wake(task.wait, .agentGone) }
        logger.info(
            "agent disconnected",
            metadata: ["agent.id": "\(id)", "reason": "\(reason)", "workspaces": "\(agent.workspaces.joined(separator: ","))"])
    }

    /// Adds workspaces to what the agent holds (a second register adds, it does not replace), and
    /// wakes the dispatches waiting for them.
    private func register(_ id: UInt64, _ workspaces: [String]) {
        guard var agent = agents[id] else { return }
        for workspace in workspaces where !agent.workspaces.contains(workspace) {
            agent.workspaces.append(workspace)
            rotation[workspace, default: []].append(id)
        }
        agents[id] = agent
        _ = agent.link.send(AgentOutbound.registered(agent.workspaces))
        logger.info(
            "agent registered", metadata: ["agent.id": "\(id)", "workspaces": "\(agent.workspaces.joined(separator: ","))"])
        for workspace in workspaces {
            for wait in registrationWaiters.removeValue(forKey: workspace) ?? [] { wake(wait, .registered) }
        }
    }

    /// Ends the task's dispatch with `result`, if this agent holds it.
    private func answer(_ taskID: String, from id: UInt64, _ result: AgentDispatchResult) {
        guard let task = pending[taskID], task.agent == id else {
            refuse(
                "no task \(taskID.prefix(64)) is waiting for this agent's answer (it was answered, timed out, was "
                    + "cancelled, or went to another agent)", from: id)
            return
        }
        pending[taskID] = nil
        wake(task.wait, .answered(result))
    }
}
