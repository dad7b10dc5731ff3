/// Ending a socket and choosing when to try again.
extension ConnectionStateMachine {
    /// Asks the shell to close the socket for `cause`; the next step is decided when it has closed.
    mutating func close(_ cause: CloseCause, code: CloseCode, error: String?) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        if case .live = state {
            heartbeat.stop()
            actions.append(.stopReplay)
        }
        closeCause = cause
        if let error { status.lastError = error }
        state = .closing
        let reason: String
        switch cause {
        case .shutdown: reason = "shutdown"
        case .stale: reason = "heartbeat timeout"
        case .handshakeTimeout: reason = "handshake timeout"
        case .refusal(let refusal): reason = refusal.rawValue
        case .tenantMismatchAck: reason = "tenant mismatch"
        case .tooManyInvalidFrames: reason = "too many malformed frames"
        case .peer: reason = ""
        }
        actions.append(.closeSocket(code: code, reason: reason))
        return actions
    }

    mutating func socketClosed(code: UInt16?, reason: String, _ now: MonotonicInstant) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        switch state {
        case .live:
            heartbeat.stop()
            actions.append(.stopReplay)
        case .connecting, .awaitingConnectAck, .closing:
            break
        case .idle, .fetchingToken, .backingOff, .stopped:
            return []
        }
        if let since = liveSince {
            reconnectBackoff.connectionEnded(afterStayingUp: now - since)
            liveSince = nil
        }
        let cause = closeCause ?? .peer(code: code)
        closeCause = nil
        if cause == .shutdown {
            state = .stopped
            return actions
        }
        if case .peer = cause {
            let how = code.map { "closed by the cloud with \($0)" } ?? "lost"
            let why = reason.isEmpty ? "" : ": " + clean(reason)
            status.lastError = "the connection was \(how)\(why)"
        }
        if cause.invalidatesToken { forgetToken() }
        return actions + backOff(usingRefusalPolicy: cause.needsOperator, now)
    }

    /// Waits before the next attempt. The two schedules grow independently: a refusal does not
    /// make the next network hiccup wait 5 minutes, nor the reverse.
    mutating func backOff(usingRefusalPolicy: Bool, _ now: MonotonicInstant) -> [ConnectionAction] {
        let delay =
            usingRefusalPolicy
            ? refusalBackoff.nextDelay(using: &jitter) : reconnectBackoff.nextDelay(using: &jitter)
        state = .backingOff(until: now + delay)
        status.retryIn = delay
        return [.scheduleReconnect(after: delay)]
    }

    mutating func forgetToken() {
        token = nil
        tokenUsableUntil = nil
        tokenRefreshAt = nil
    }
}
