import ConnectorCore
import Glibc

/// Everything one execution's thread needs, and the thread's body: working directory, spawn,
/// session, reaping and clean-up, in that order.
struct HandlerRun: Sendable {
    let job: ExecutionJob
    let executable: String
    let limits: HandlerOutputLimits
    let grace: Duration
    let workRoot: String
    let home: String

    /// Runs on the execution's thread; calls `deliver` exactly once.
    func perform(
        cancel: CancellationSignal, output: @escaping @Sendable (ExecutorOutput) -> Void,
        deliver: (ExecutorOutcome) -> Void
    ) {
        // A write to the stdin of a handler that exited raises SIGPIPE on this thread; blocked, it
        // stays pending (and dies with the thread) and write returns EPIPE instead.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        defer { cancel.close() }

        let label = (job.kind == .tool ? "tools/" : "playbooks/") + job.name
        if cancel.isRequested { return deliver(ExecutorFailure.cancelled.outcome) }
        let directory: WorkDirectory
        let child: ChildProcess
        do throws(ExecutorFailure) {
            directory = try WorkDirectory(under: workRoot)
        } catch {
            return deliver(error.outcome)
        }
        do throws(ChildProcess.SpawnError) {
            child = try spawn(in: directory, cancel: cancel)
        } catch {
            directory.remove()
            let hint = switch error.code {
            case ENOEXEC: " (does it start with a #! line?)"
            case ETXTBSY: " (is it being written right now?)"
            default: ""
            }
            // Out of processes or memory passes; a bad handler file does not.
            return deliver(ExecutorFailure(
                code: ExecutorErrorCode.handlerFailed, message: "\(label) could not start: \(error.description)\(hint)",
                retryable: [EAGAIN, ENOMEM].contains(error.code)
            ).outcome)
        }

        var session = HandlerSession(
            label: label, child: child, input: job.documentLine, cancel: cancel, grace: grace,
            collector: HandlerOutputCollector(limits: limits, source: "stdout", output: output))
        let outcome = session.run()
        if session.termination != nil {
            // The leader has exited: reaping returns at once, and the caller hears of the outcome
            // only when no process of the run and no file of its directory is left.
            child.reap()
            directory.remove()
            deliver(outcome)
        } else {
            // It survived SIGKILL (stuck in the kernel): answer now, reap whenever it goes.
            deliver(outcome)
            child.reap()
            directory.remove()
        }
    }

    /// ETXTBSY means some process holds the file open for writing: an update in progress, or, in
    /// this very process, another thread's spawn whose child has not reached exec yet and still
    /// shares a descriptor of a file being written. Both pass within moments, so it is retried.
    private func spawn(in directory: WorkDirectory, cancel: CancellationSignal) throws(ChildProcess.SpawnError) -> ChildProcess {
        var attempt = 0
        while true {
            do throws(ChildProcess.SpawnError) {
                return try ChildProcess.spawn(
                    executable: executable,
                    environment: HandlerEnvironment.variables(requestID: job.requestID, home: home),
                    workingDirectory: directory.path)
            } catch {
                attempt += 1
                guard error.code == ETXTBSY, attempt < 10, !cancel.isRequested else { throw error }
                usleep(useconds_t(10_000 * attempt))
            }
        }
    }
}
