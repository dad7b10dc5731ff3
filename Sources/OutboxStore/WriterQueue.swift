import Dispatch
public import SQLiteDB
import Synchronization

/// Rows that must commit together with a unit's messages (later: inbox rows and the like). Runs on
/// the writer thread inside the unit's savepoint, after the messages got their seqs; throwing rolls
/// back the whole unit and nothing else.
public typealias UnitRows = @Sendable (Database, [AppendedMessage]) throws -> Void

/// One append: its messages and any rows that commit with them, all or nothing.
struct AppendUnit: Sendable {
    var messages: [PreparedMessage]
    var rows: UnitRows?
    /// Whether the size bound may drop unacked progress events to make room for this unit. Salvage
    /// says no: re-appending old messages must never cost the live ones anything.
    var mayDropProgress = true
    /// Bytes of the size bound this unit must leave free. Salvage leaves a fifth: filling the store
    /// to the bound would make the service's next appends drop progress events or fail.
    var reservedBytes: Int64 = 0
}

typealias Completion<T> = @Sendable (Result<T, OutboxError>) -> Void

enum WriterJob: Sendable {
    /// Joins the next group-commit transaction, in its own savepoint.
    case append(AppendUnit, Completion<[AppendedMessage]>)
    /// Advances the cloud's cumulative ack; joins the group-commit transaction too.
    case acknowledge(Int64, Completion<AckOutcome>)
    /// Runs alone on the writer's connection (prune, rebuild, diagnostics); manages its own
    /// transactions.
    case exclusive(ExclusiveJob)
}

struct ExclusiveJob: Sendable {
    let run: @Sendable (WriterSession) -> Void
    /// Called instead of `run` when the writer could not start.
    let fail: @Sendable (OutboxError) -> Void
}

/// The hand-off between producers (any thread or task) and the single writer thread. Producers
/// append under a mutex and wake the writer only when it sleeps, so a busy writer finds the next
/// batch already queued and a burst costs one wake-up.
final class WriterQueue: Sendable {
    private struct State {
        var jobs: [WriterJob] = []
        var writerSleeping = false
        var closed = false
    }

    private enum Step {
        case run([WriterJob])
        case sleep
        case finished
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    /// Signalled by the writer thread once it has drained the queue and closed its connection.
    let stopped = DispatchSemaphore(value: 0)

    /// False when the queue is closed: the job was not taken.
    func submit(_ job: WriterJob) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.jobs.append(job)
            let wake = state.writerSleeping
            state.writerSleeping = false
            return (true, wake)
        }
        if wake { wakeup.signal() }
        return accepted
    }

    /// Takes no more jobs; the writer finishes what is queued and stops.
    func close() {
        let wake = state.withLock { state -> Bool in
            state.closed = true
            let wake = state.writerSleeping
            state.writerSleeping = false
            return wake
        }
        if wake { wakeup.signal() }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    var count: Int { state.withLock { $0.jobs.count } }

    /// Takes whatever is queued now, without blocking.
    func takeQueued(max: Int) -> [WriterJob] {
        state.withLock { state in
            let count = Swift.min(max, state.jobs.count)
            let batch = Array(state.jobs.prefix(count))
            state.jobs.removeFirst(count)
            return batch
        }
    }

    /// Blocks the writer thread until jobs are queued. Nil once closed and drained.
    func next(max: Int) -> [WriterJob]? {
        while true {
            let step = state.withLock { state -> Step in
                if !state.jobs.isEmpty {
                    let count = Swift.min(max, state.jobs.count)
                    let batch = Array(state.jobs.prefix(count))
                    state.jobs.removeFirst(count)
                    return .run(batch)
                }
                if state.closed { return .finished }
                state.writerSleeping = true
                return .sleep
            }
            switch step {
            case .run(let batch): return batch
            case .finished: return nil
            case .sleep: wakeup.wait()
            }
        }
    }
}
