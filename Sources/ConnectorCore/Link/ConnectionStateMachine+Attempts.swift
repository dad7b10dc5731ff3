/// Getting from "not connected" to an open socket with `connect` sent: the token, then the socket.
extension ConnectionStateMachine {
    /// Opens a socket with the current token, or fetches one first when it is missing or about to
    /// lapse (PROTOCOL §3.1, and §3.4's "fetches a new token before its next attempt").
    mutating func beginAttempt(_ now: MonotonicInstant) -> [ConnectionAction] {
        if let token, tokenUsableUntil.map({ now < $0 }) ?? true {
            return openSocket(token, now)
        }
        state = .fetchingToken
        // A background refresh may still be on its way; its answer serves this attempt.
        guard !tokenRequestOutstanding else { return [] }
        tokenRequestOutstanding = true
        return [.fetchToken]
    }

    private mutating func openSocket(_ token: DeviceToken, _ now: MonotonicInstant) -> [ConnectionAction] {
        state = .connecting(deadline: now + configuration.handshakeTimeout)
        closeCause = nil
        invalidFrameStreak = 0
        status.connectAttempts += 1
        return [.openSocket(SocketRequest(deviceID: configuration.deviceID, tenantID: configuration.tenantID, token: token))]
    }

    mutating func tokenFetched(_ fetched: DeviceToken, expiresIn: Duration?, _ now: MonotonicInstant) -> [ConnectionAction] {
        guard state != .idle, state != .stopped, tokenRequestOutstanding else { return [] }
        tokenRequestOutstanding = false
        guard !fetched.isEmpty else {
            return tokenFetchFailed(reason: "the token endpoint answered without a token", now)
        }
        token = fetched
        if let expiresIn {
            let margin = min(configuration.tokenRefreshMargin, expiresIn / 5)
            let usableUntil = now + (expiresIn - margin)
            tokenUsableUntil = usableUntil
            // However short the lifetime, background refreshes stay at least this far apart.
            tokenRefreshAt = max(usableUntil, now + configuration.tokenRetryInterval)
        } else {
            tokenUsableUntil = nil
            tokenRefreshAt = nil
        }
        guard state == .fetchingToken else { return [] }
        return openSocket(fetched, now)
    }

    mutating func tokenRefused(status httpStatus: Int, _ now: MonotonicInstant) -> [ConnectionAction] {
        guard state != .idle, state != .stopped, tokenRequestOutstanding else { return [] }
        tokenRequestOutstanding = false
        forgetToken()
        status.tokenRefusals += 1
        status.lastError =
            "the token endpoint refused this device (HTTP \(httpStatus)): check DEVICE_ID, TENANT_ID and "
            + "CLOUD_API_KEY with the cloud's operator; queued messages are kept"
        guard state == .fetchingToken else { return [] }
        return backOff(usingRefusalPolicy: true, now)
    }

    mutating func tokenFailed(reason: String, _ now: MonotonicInstant) -> [ConnectionAction] {
        guard state != .idle, state != .stopped, tokenRequestOutstanding else { return [] }
        tokenRequestOutstanding = false
        return tokenFetchFailed(reason: reason, now)
    }

    private mutating func tokenFetchFailed(reason: String, _ now: MonotonicInstant) -> [ConnectionAction] {
        status.lastError = "could not fetch a device token: " + clean(reason)
        guard state == .fetchingToken else {
            // A failed background refresh: the current token still works, try again later.
            tokenRefreshAt = now + configuration.tokenRetryInterval
            return []
        }
        return backOff(usingRefusalPolicy: false, now)
    }

    /// Exactly one `connect` per socket, before anything else (PROTOCOL §3.5): only the first
    /// `socketOpened` of an attempt sends it.
    mutating func socketOpened(lastSeq: Int64) -> [ConnectionAction] {
        // No token change can land while connecting: refreshes only start while live, and a token
        // past its refresh time is never used to open a socket. So this is the upgrade's token.
        guard case .connecting(let deadline) = state, let token else { return [] }
        state = .awaitingConnectAck(deadline: deadline)
        let connect = ConnectPayload(
            deviceID: configuration.deviceID, tenantID: configuration.tenantID, token: token,
            agent: configuration.agent, lastSeq: lastSeq)
        return [.send(.connect(connect))]
    }
}
