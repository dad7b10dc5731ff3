import ConnectorCore
import LocalAPI
import Testing
import WebSocketTransport

/// `AgentHub.dispatch` against real agents on real sockets: waiting, answers, failures, timeouts.
@Suite struct AgentDispatchTests {
    @Test func aRegisteredAgentAnswersAndItsErrorIsReported() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.registered(api, ["ws-1"])
            let first = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .seconds(5)) }
            try agent.reply(to: try await agent.next(), text: "pong")
            #expect(await first.value == .replied(text: "pong"))

            let second = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .seconds(5)) }
            let message = try await agent.next()
            try agent.send(["type": "error", "task_id": message["task_id"] ?? .null, "message": "model unavailable"])
            #expect(await second.value == .agentError(message: "model unavailable"))
            // A second answer to a finished task is refused, not applied.
            try agent.reply(to: message, text: "too late")
            #expect(try await agent.next()["type"] == "error")
        }
    }

    @Test func dispatchWaitsForALateAgent() async throws {
        try await withAPI { api in
            let started = ContinuousClock.now
            let result = Task { await dispatch(api, wait: .seconds(10), replyTimeout: .seconds(5)) }
            try await Task.sleep(for: .milliseconds(300))
            let agent = try await TestAgent.registered(api, ["ws-1"])
            try agent.reply(to: try await agent.next(), text: "sorry I'm late")
            #expect(await result.value == .replied(text: "sorry I'm late"))
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func noAgentEndsAfterTheBoundedWait() async throws {
        try await withAPI { api in
            // An agent of another workspace does not count.
            let other = try await TestAgent.registered(api, ["ws-2"])
            let started = ContinuousClock.now
            #expect(await dispatch(api, wait: .milliseconds(300), replyTimeout: .seconds(5)) == .noAgent(waited: .milliseconds(300)))
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3), "\(elapsed)")
            #expect(await dispatch(api, wait: .zero, replyTimeout: .seconds(5)) == .noAgent(waited: .zero))
            #expect(try await other.staysQuiet(for: .milliseconds(50)))
        }
    }

    @Test func anAgentThatDisconnectsMidTaskIsAnAgentError() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.registered(api, ["ws-1"])
            let result = Task { await dispatch(api, wait: .milliseconds(300), replyTimeout: .seconds(10)) }
            _ = try await agent.next()
            let closed = ContinuousClock.now
            await agent.close()
            #expect(await result.value == .agentError(message: "the agent disconnected"))
            #expect(ContinuousClock.now - closed < .seconds(5))
        }
    }

    @Test func aTaskWhoseAgentDisconnectsGoesToAnotherAgent() async throws {
        try await withAPI { api in
            let first = try await TestAgent.registered(api, ["ws-1"])
            let second = try await TestAgent.registered(api, ["ws-1"])
            let result = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .seconds(10)) }
            // Round-robin starts with the older registration.
            let original = try await first.next()
            await first.close()
            let again = try await second.next()
            #expect(again["task_id"] == original["task_id"])
            #expect(again["text"] == "hello")
            try second.reply(to: again, text: "took over")
            #expect(await result.value == .replied(text: "took over"))
        }
    }

    @Test func aSilentAgentTimesOut() async throws {
        try await withAPI { api in
            let agent = try await TestAgent.registered(api, ["ws-1"])
            let started = ContinuousClock.now
            let result = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .milliseconds(300)) }
            let message = try await agent.next()
            #expect(await result.value == .timedOut(after: .milliseconds(300)))
            #expect(ContinuousClock.now - started < .seconds(3))
            // The late answer is refused; the agent stays connected and usable.
            try agent.reply(to: message, text: "late")
            #expect(try await agent.next()["type"] == "error")
            let next = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .seconds(5)) }
            try agent.reply(to: try await agent.next(), text: "on time")
            #expect(await next.value == .replied(text: "on time"))
        }
    }

    @Test func tasksAlternateBetweenAWorkspacesAgents() async throws {
        try await withAPI { api in
            let older = try await TestAgent.registered(api, ["ws-1"])
            let newer = try await TestAgent.registered(api, ["ws-1", "ws-9"])
            #expect(await api.server.agents.agentCount(for: "ws-1") == 2)
            var order: [String] = []
            for round in 0..<4 {
                let result = Task { await dispatch(api, wait: .seconds(5), replyTimeout: .seconds(5)) }
                let (agent, name) = round % 2 == 0 ? (older, "older") : (newer, "newer")
                let message = try await agent.next(timeout: .seconds(2))
                try agent.reply(to: message, text: name)
                if case .replied(let text) = await result.value { order.append(text) }
            }
            #expect(order == ["older", "newer", "older", "newer"])
        }
    }

    @Test func cancellingTheCallerReturnsPromptly() async throws {
        try await withAPI { api in
            let waiting = Task { await dispatch(api, wait: .seconds(60), replyTimeout: .seconds(60)) }
            let agent = try await TestAgent.registered(api, ["ws-2"])
            let answering = Task {
                await api.server.agents.dispatch(
                    workspaceID: "ws-2", task: sampleTask(workspaceID: "ws-2"), wait: .seconds(60), replyTimeout: .seconds(60))
            }
            _ = try await agent.next()
            try await Task.sleep(for: .milliseconds(100))
            let cancelled = ContinuousClock.now
            waiting.cancel()
            answering.cancel()
            #expect(await waiting.value == .agentError(message: "the dispatch was cancelled"))
            #expect(await answering.value == .agentError(message: "the dispatch was cancelled"))
            #expect(ContinuousClock.now - cancelled < .seconds(2))
        }
    }

    @Test func stoppingTheServerEndsAgentsAndTheirTasks() async throws {
        let api = try await APIFixture.start()
        let agent = try await TestAgent.registered(api, ["ws-1"])
        let result = Task { await dispatch(api, wait: .zero, replyTimeout: .seconds(30)) }
        _ = try await agent.next()
        await api.stop()
        #expect(await result.value == .agentError(message: "the agent disconnected"))
        try await eventually { agent.isClosed }
    }

    private func dispatch(_ api: APIFixture, wait: Duration, replyTimeout: Duration) async -> AgentDispatchResult {
        await api.server.agents.dispatch(workspaceID: "ws-1", task: sampleTask(), wait: wait, replyTimeout: replyTimeout)
    }
}
