/// Parked waits: a dispatch suspends until an event (a registration, an answer, a disconnect), its
/// deadline, or its task's cancellation, whichever comes first. Each wait is resumed exactly once,
/// by whoever removes it from `parked` first.
extension AgentHub {
    enum Wake: Sendable {
        case registered
        case answered(AgentDispatchResult)
        case agentGone
        case timeout
        case cancelled
    }

    struct ParkedWait {
        let continuation: CheckedContinuation<Wake, Never>
        let timer: Task<Void, Never>
    }

    struct PendingTask {
        let wait: UInt64
        let agent: UInt64
    }

    func makeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// Waits for any agent of `workspaceID` to register; `.timeout` at once when the deadline passed.
    func awaitRegistration(_ workspaceID: String, until deadline: ContinuousClock.Instant) async -> Wake {
        guard ContinuousClock.now < deadline else { return .timeout }
        let id = makeID()
        let wake = await park(id, until: deadline) { registrationWaiters[workspaceID, default: []].insert(id) }
        registrationWaiters[workspaceID]?.remove(id)
        if registrationWaiters[workspaceID]?.isEmpty == true { registrationWaiters[workspaceID] = nil }
        return wake
    }

    /// Waits for `agent`'s answer to `taskID`.
    func awaitAnswer(_ taskID: String, from agent: UInt64, until deadline: ContinuousClock.Instant) async -> Wake {
        let id = makeID()
        let wake = await park(id, until: deadline) { pending[taskID] = PendingTask(wait: id, agent: agent) }
        pending[taskID] = nil
        return wake
    }

    /// Suspends until `wake(id, …)`. `enroll` runs on the actor in the same step as the wait is
    /// stored, so no event can slip between the two.
    private func park(_ id: UInt64, until deadline: ContinuousClock.Instant, enroll: () -> Void) async -> Wake {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard !Task.isCancelled else {
                    continuation.resume(returning: .cancelled)
                    return
                }
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                    await self?.wake(id, .timeout)
                }
                parked[id] = ParkedWait(continuation: continuation, timer: timer)
                enroll()
            }
        } onCancel: {
            // Runs on the cancelling thread; the hop to the actor is what makes the resume exactly-once.
            Task { await self.wake(id, .cancelled) }
        }
    }

    /// Resumes the wait `id` if it is still parked; a no-op for one already resumed.
    func wake(_ id: UInt64, _ wake: Wake) {
        guard let wait = parked.removeValue(forKey: id) else { return }
        wait.timer.cancel()
        wait.continuation.resume(returning: wake)
    }
}
