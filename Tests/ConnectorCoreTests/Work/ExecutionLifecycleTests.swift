import ConnectorCore
import Testing

@Suite("Execution lifecycle (R13)")
struct ExecutionLifecycleTests {
    @Test("accepted → started → progress → completed")
    func happyPath() {
        var life = ExecutionLifecycle()
        #expect(life.slotGranted() == [.start])
        #expect(life.progress(fraction: 1.5, message: nil) == [.emitProgress(fraction: 1, message: nil)])
        #expect(life.executorFinished(.completed(result: ["ok": true])) == [.finish(.completed(result: ["ok": true]))])
        #expect(life.progress(fraction: 0.5, message: "late") == [])
        #expect(life.executorFinished(.completed(result: .null)) == [])
    }

    @Test("a cancel while running stops the executor; the cancel, not its outcome, ends it")
    func cancelWhileRunning() {
        var life = ExecutionLifecycle()
        _ = life.slotGranted()
        #expect(life.cancel(reason: "user") == [.stopExecutor])
        #expect(life.timedOut(afterMS: 10) == [])
        #expect(life.executorFinished(.failed(code: "handler_failed", message: "killed", retryable: false))
            == [.finish(.cancelled(reason: "user"))])
    }

    @Test("a cancel while waiting ends at once, without a start")
    func cancelWhileWaiting() {
        var life = ExecutionLifecycle()
        #expect(life.cancel(reason: nil) == [.finish(.cancelled(reason: nil))])
        #expect(life.slotGranted() == [])
    }

    @Test("any order of events ends at most once, and exactly once when the executor returns", arguments: 0..<200)
    func exactlyOneTerminal(seed: Int) {
        var rng = SystemRandomNumberGenerator()
        _ = seed
        var life = ExecutionLifecycle()
        var finishes = 0
        var started = false
        var executorReturned = false
        for _ in 0..<8 {
            let actions: [ExecutionLifecycle.Action]
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: actions = life.slotGranted()
            case 1: actions = life.progress(fraction: 0.5, message: nil)
            case 2: actions = life.cancel(reason: nil)
            case 3: actions = life.timedOut(afterMS: 1)
            case 4: actions = life.interrupt()
            default:
                executorReturned = executorReturned || started
                actions = life.executorFinished(.completed(result: .null))
            }
            if actions.contains(.start) { started = true }
            finishes += actions.filter { if case .finish = $0 { true } else { false } }.count
        }
        #expect(finishes <= 1)
        if executorReturned { #expect(finishes == 1) }
        if finishes == 1 { #expect(life.isEnded) }
    }
}
