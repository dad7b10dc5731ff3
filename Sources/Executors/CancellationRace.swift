import Synchronization

/// Runs `operation` in a task of its own and returns its value, or nil as soon as the calling task
/// is cancelled, without waiting for `operation`: for work that cannot itself be cancelled (an HTTP
/// request through the event loop), whose late answer is then dropped.
func returningOnCancellation<Value: Sendable>(
    _ operation: @escaping @Sendable () async -> Value
) async -> Value? {
    if Task.isCancelled { return nil }
    let slot = AnswerSlot<Value>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            slot.install(continuation)
            Task { slot.answer(await operation()) }
        }
    } onCancel: {
        slot.answer(nil)
    }
}

/// The continuation and the first answer, whichever comes first; later answers are dropped.
private final class AnswerSlot<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value?, Never>)
        case answered(Value?)
        case done
    }

    private let state = Mutex<State>(.empty)

    func install(_ continuation: CheckedContinuation<Value?, Never>) {
        let early: Value?? = state.withLock { state in
            if case .answered(let value) = state {
                state = .done
                return .some(value)
            }
            state = .waiting(continuation)
            return .none
        }
        if let early { continuation.resume(returning: early) }
    }

    func answer(_ value: Value?) {
        let waiting: CheckedContinuation<Value?, Never>? = state.withLock { state in
            switch state {
            case .empty:
                state = .answered(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .answered, .done:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
