import ConnectorCore
import Executors
import Foundation
import Logging
import OutboxStore

/// Performing the lifecycle's actions: appends, the executor's task, the timeout.
extension TransportHandler {
    func apply(_ action: ExecutionLifecycle.Action, _ requestID: String) async {
        guard let execution = executions[requestID] else { return }
        switch action {
        case .start:
            let now = nowMS
            await appendQuietly(
                [messages.event(requestID, .started, data: [:], atMS: now)], rows: InboxRows.started(requestID, atMS: now),
                requestID, what: "started")
            start(execution.request)
        case .emitProgress(let fraction, let message):
            // Progress is best effort: under storage pressure it is the one thing that may go (R4).
            let now = nowMS
            await appendQuietly(
                [messages.progress(requestID, fraction: fraction, message: message, atMS: now)],
                rows: InboxRows.progress(requestID, usageSoFar: nil, atMS: now), requestID, what: "progress")
        case .stopExecutor:
            execution.task?.cancel()
        case .finish(let terminal):
            await finish(requestID, terminal)
        }
    }

    private func appendQuietly(_ drafts: [MessageDraft], rows: @escaping UnitRows, _ requestID: String, what: String) async {
        do {
            _ = try await store.append(drafts, rows: rows)
        } catch {
            logger.error("could not append an execution event", metadata: ["request.id": "\(requestID)", "event": "\(what)", "error": "\(error)"])
        }
    }

    /// Runs the steps in a task of their own; outputs are handled in order, all of them before the
    /// outcome, so no progress event can follow the terminal one.
    private func start(_ request: ExecutionRequest) {
        let requestID = request.requestID
        let executor = self.executor
        let (outputs, sink) = AsyncStream.makeStream(of: ExecutorOutput.self)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await output in outputs { await self.executorOutput(requestID, output) }
                }
                let outcome = await Self.run(request, executor: executor, output: { sink.yield($0) })
                sink.finish()
                await group.waitForAll()
                await self.perform(requestID) { $0.executorFinished(outcome) }
            }
        }
        executions[requestID]?.task = task
        if let timeoutMS = request.timeoutMS ?? defaultTimeoutMS {
            executions[requestID]?.timeout = Task {
                try? await Task.sleep(for: .milliseconds(timeoutMS))
                guard !Task.isCancelled else { return }
                await self.perform(requestID) { $0.timedOut(afterMS: timeoutMS) }
            }
        }
    }

    private func executorOutput(_ requestID: String, _ output: ExecutorOutput) async {
        switch output {
        case .progress(let fraction, let message):
            // Progress may be thinned (R4 lets it go under pressure anyway); everything else may not.
            let now = nowMS
            if let last = executions[requestID]?.lastProgressAtMS, now - last < Self.progressIntervalMS { return }
            executions[requestID]?.lastProgressAtMS = now
            await perform(requestID) { $0.progress(fraction: fraction, message: message) }
        case .usage(let figures):
            executions[requestID]?.usage.add(figures)
            // Kept as it comes, so a crash before the end still bills what was used (R13's report).
            guard let totals = executions[requestID]?.usage else { return }
            await appendQuietly([], rows: InboxRows.progress(requestID, usageSoFar: totals.record, atMS: nowMS), requestID, what: "usage so far")
        }
    }

    /// A playbook or tool is one step; a chain runs its steps in order, each getting the previous
    /// step's result as `inputs.previous`, and fails at the first failed step, naming it.
    nonisolated static func run(
        _ request: ExecutionRequest, executor: any Executor, output: @escaping @Sendable (ExecutorOutput) -> Void
    ) async -> ExecutionTerminal {
        var previous: JSONValue?
        let count = request.steps.count
        for (index, step) in request.steps.enumerated() {
            if Task.isCancelled { return .cancelled(reason: nil) }
            var inputs = step.inputs
            if let previous { inputs["previous"] = previous }
            let job = ExecutionJob(
                requestID: request.requestID, kind: step.kind == .playbook ? .playbook : .tool, name: step.name,
                inputs: inputs, request: request.payload)
            if count > 1 {
                output(.progress(fraction: Double(index) / Double(count), message: "step \(index + 1) of \(count): \(step.name)"))
            }
            switch await executor.execute(job, output: output) {
            case .completed(let result):
                previous = result
            case .failed(let code, let message, let retryable):
                let where_ = count > 1 ? "step \(index + 1) of \(count) (\(step.name)): " : ""
                return .failed(code: code, message: where_ + message, retryable: retryable)
            }
        }
        return .completed(result: previous ?? .object(JSONObject()))
    }

    /// The terminal event, the usage report and the inbox close, as one unit: all three or none.
    /// A result too large for one message (R3) ends `failed` `result_too_large` instead; any other
    /// failure is retried, so the execution still ends exactly once (until shutdown, when the inbox
    /// row stays open and the next start ends it `interrupted`).
    private func finish(_ requestID: String, _ terminal: ExecutionTerminal) async {
        guard let execution = executions[requestID] else { return }
        var terminal = terminal
        var attempt = 0
        while true {
            let now = nowMS
            let duration = execution.startedAtMS.map { now - $0 } ?? 0
            let drafts = [
                messages.terminal(requestID, terminal, atMS: now),
                messages.usageReport(
                    requestID, workspaceID: execution.request.workspaceID, usage: executions[requestID]?.usage ?? execution.usage,
                    durationMS: duration, atMS: now),
            ]
            do {
                _ = try await store.append(drafts, rows: InboxRows.close(requestID, outcome: terminal.eventType.rawValue, atMS: now))
                logger.info("finished", metadata: ["request.id": "\(requestID)", "outcome": "\(terminal.eventType.rawValue)"])
                let usage = executions[requestID]?.usage ?? execution.usage
                if !usage.droppedCosts.isEmpty {
                    // One usage_report carries one currency (PROTOCOL §4): the others are only here.
                    logger.warning(
                        "costs in another currency than the usage report's were left out of it",
                        metadata: [
                            "request.id": "\(requestID)", "currency": "\(usage.currency ?? "none")",
                            "left_out": "\(usage.droppedCosts.joined(separator: ", "))",
                        ])
                }
                break
            } catch OutboxError.messageTooLarge(_, let bytes, let limit) {
                terminal = .failed(
                    code: "result_too_large", message: "the result is \(bytes) bytes encoded; at most \(limit) fit in one message (R3)",
                    retryable: false)
            } catch {
                attempt += 1
                logger.error(
                    "could not append the end of an execution; retrying",
                    metadata: ["request.id": "\(requestID)", "attempt": "\(attempt)", "error": "\(error)"])
                if stopping && attempt >= 3 { break }
                try? await Task.sleep(for: .seconds(min(attempt, 10)))
            }
        }
        await ended(requestID)
    }
}
