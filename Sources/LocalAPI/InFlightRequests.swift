import Synchronization

/// Counts the requests being handled, so a graceful shutdown can let them get their answers (an
/// append that committed should be answered 201, not cut off) before the listener stops.
final class InFlightRequests: Sendable {
    private let state = Mutex<(count: Int, draining: Bool)>((0, false))

    /// False once draining: the request is then refused with 503 instead of started.
    func enter() -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.count += 1
            return true
        }
    }

    func leave() {
        state.withLock { $0.count -= 1 }
    }

    /// Refuses new requests from now on and waits until the running ones ended or `timeout` passed.
    func drain(timeout: Duration) async {
        state.withLock { $0.draining = true }
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.count }) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
