import ConnectorCore
import Testing

/// PROTOCOL §3.1 and §3.4 refusals and §6 close codes: what closes, which backoff, and whether the
/// token is fetched again.
@Suite struct ConnectionRefusalTests {
    struct RefusalCase: Sendable, CustomTestStringConvertible {
        let code: String
        let closeCode: CloseCode
        let longBackoff: Bool
        let refetchesToken: Bool
        let statusMentions: String
        var testDescription: String { code }
    }

    @Test(arguments: [
        RefusalCase(
            code: "unauthorized", closeCode: .unauthorized, longBackoff: false, refetchesToken: true,
            statusMentions: "refused the device token (unauthorized: nope)"),
        RefusalCase(
            code: "tenant_mismatch", closeCode: .forbidden, longBackoff: true, refetchesToken: false,
            statusMentions: "refused tenant \"tenant-a\" for this device (tenant_mismatch: nope)"),
        RefusalCase(
            code: "protocol_unsupported", closeCode: .protocolError, longBackoff: true, refetchesToken: false,
            statusMentions: "does not support protocol 1 (protocol_unsupported: nope)"),
    ])
    func refusalDuringTheHandshake(refusal: RefusalCase) {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: .seconds(3600)))
        harness.handle(.socketOpened(lastSeq: 0))
        let refused = harness.handle(.frame(.error(CloudError(code: refusal.code, message: "nope"))), at: 1)
        #expect(refused == [.closeSocket(code: refusal.closeCode, reason: refusal.code)])
        #expect(harness.status.state == .closing)
        #expect(harness.status.lastError?.contains(refusal.statusMentions) == true, "\(harness.status.lastError ?? "")")

        let closed = harness.handle(.socketClosed(code: refusal.closeCode.rawValue, reason: refusal.code), at: 1)
        let delay = closed.reconnectDelay ?? .zero
        if refusal.longBackoff {
            #expect(delay >= .seconds(5) && delay < .seconds(15))
        } else {
            #expect(delay < .milliseconds(500))
        }
        #expect(harness.status.state == .backingOff)
        #expect(harness.status.retryIn == delay)
        #expect(harness.machine.nextDeadline == at(1) + delay)
        #expect(harness.handle(.tick, at: 1).isEmpty || delay == .zero)

        let next = harness.tickAtDeadline()
        if refusal.refetchesToken {
            #expect(next == [.fetchToken])
        } else {
            let request = SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: StateMachineHarness.token)
            #expect(next == [.openSocket(request)])
        }
    }

    @Test func refusalWhileLiveStopsTheReplayFirst() {
        var harness = StateMachineHarness()
        harness.goLive()
        let actions = harness.handle(.frame(.error(CloudError(code: "unauthorized", message: "token revoked"))), at: 5)
        #expect(actions == [.stopReplay, .closeSocket(code: .unauthorized, reason: "unauthorized")])
        #expect(harness.handle(.socketClosed(code: 4401, reason: ""), at: 5).reconnectDelay != nil)
        #expect(harness.tickAtDeadline() == [.fetchToken])
    }

    /// The cloud may close with 4401 without an `error` first: the token is fetched again too.
    @Test func peerClose4401RefetchesTheToken() {
        var harness = StateMachineHarness()
        harness.goLive()
        let closed = harness.handle(.socketClosed(code: 4401, reason: "unauthorized"), at: 3)
        #expect(closed.first == .stopReplay)
        #expect(closed.reconnectDelay.map { $0 < .milliseconds(500) } == true)
        #expect(harness.status.lastError == "the connection was closed by the cloud with 4401: unauthorized")
        #expect(harness.tickAtDeadline() == [.fetchToken])
    }

    @Test func peerClose4403TakesTheLongBackoff() {
        var harness = StateMachineHarness()
        harness.goLive()
        let delay = harness.handle(.socketClosed(code: 4403, reason: "forbidden"), at: 3).reconnectDelay
        #expect(delay.map { $0 >= .seconds(5) } == true)
    }

    /// §3.4: a connect_ack naming another tenant is refused with 4403 and a long backoff.
    @Test func connectAckForAnotherTenant() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        harness.handle(.socketOpened(lastSeq: 0))
        let ack = ConnectAck(sessionID: "s", ackedSeq: 99, tenantID: "tenant-b")
        #expect(harness.handle(.frame(.connectAck(ack)), at: 1) == [.closeSocket(code: .forbidden, reason: "tenant mismatch")])
        #expect(harness.status.state == .closing)
        #expect(harness.status.sessions == 0)
        #expect(harness.status.lastError == #"the cloud's connect_ack is for tenant "tenant-b", this device belongs to "tenant-a"; refused with 4403"#)
        // Frames after the refusal are not delivered.
        #expect(harness.handle(.frame(.ack(seq: 5))).isEmpty)
        let delay = harness.handle(.socketClosed(code: 4403, reason: ""), at: 1).reconnectDelay
        #expect(delay.map { $0 >= .seconds(5) && $0 < .seconds(15) } == true)
    }

    /// §3.1: 401/403 from the token endpoint. Long backoff, attempts counted, status says why, and
    /// nothing the state machine asks for touches the outbox (every queued message is kept).
    @Test(arguments: [401, 403])
    func tokenEndpointRefusal(status: Int) {
        var harness = StateMachineHarness()
        var all: [ConnectionAction] = harness.handle(.start, at: 0)
        var previousCeiling = Duration.zero
        for attempt in 0..<8 {
            let actions = harness.handle(.tokenRefused(status: status))
            all += actions
            let delay = actions.reconnectDelay ?? .zero
            let ceiling = harness.machine.refusalBackoff.ceiling(attempt: attempt)
            #expect(delay >= .seconds(5) && delay < ceiling, "attempt \(attempt): \(delay)")
            #expect(ceiling >= previousCeiling)
            previousCeiling = ceiling
            #expect(harness.status.tokenRefusals == attempt + 1)
            #expect(harness.status.state == .backingOff)
            #expect(harness.status.lastError?.contains("refused this device (HTTP \(status))") == true)
            #expect(harness.status.lastError?.contains("queued messages are kept") == true)
            all += harness.tickAtDeadline()
        }
        #expect(previousCeiling == .seconds(300))
        for action in all {
            switch action {
            case .fetchToken, .scheduleReconnect: break
            default: Issue.record("unexpected \(action)")
            }
        }
        #expect(harness.status.connectAttempts == 0)
        // Once the endpoint answers again, the link comes up.
        harness.goLiveAfterTokenRequest()
        #expect(harness.machine.refusalBackoff.attempt == 0, "a session resets the refusal schedule")
    }

    @Test func tokenFetchFailureUsesTheNormalBackoff() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        let delay = harness.handle(.tokenFailed(reason: "connection refused")).reconnectDelay
        #expect(delay.map { $0 < .milliseconds(500) } == true)
        #expect(harness.status.lastError == "could not fetch a device token: connection refused")
        #expect(harness.tickAtDeadline() == [.fetchToken])
    }

    @Test func emptyTokenCountsAsAFailedFetch() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        #expect(harness.handle(.tokenFetched(DeviceToken(""), expiresIn: nil)).reconnectDelay != nil)
        #expect(harness.status.lastError == "could not fetch a device token: the token endpoint answered without a token")
    }

    @Test func socketFailureBeforeOpenBacksOff() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        let actions = harness.handle(.socketClosed(code: nil, reason: "connection refused"), at: 0.1)
        #expect(actions.count == 1 && actions.reconnectDelay != nil)
        #expect(harness.status.lastError == "the connection was lost: connection refused")
    }

    @Test func peerCloseWhileLiveStopsReplayAndReconnects() {
        var harness = StateMachineHarness()
        harness.goLive()
        let actions = harness.handle(.socketClosed(code: 1001, reason: "going away"), at: 2)
        #expect(actions.first == .stopReplay)
        #expect(actions.reconnectDelay != nil)
        #expect(harness.status.lastError == "the connection was closed by the cloud with 1001: going away")
    }

    /// PROTOCOL §1: a peer that keeps sending malformed frames is disconnected with 4400.
    @Test func malformedFramesInARowCloseWith4400() {
        let configuration = ConnectionConfiguration(
            deviceID: "dev-1", tenantID: "tenant-a", agent: StateMachineHarness.configuration.agent,
            maxConsecutiveInvalidFrames: 5)
        var harness = StateMachineHarness(configuration: configuration)
        harness.goLive()
        for _ in 0..<4 { #expect(harness.handle(.invalidFrame(.missingType), at: 1).isEmpty) }
        harness.handle(.frame(.heartbeatAck(ts: nil)), at: 1)
        for _ in 0..<4 { #expect(harness.handle(.invalidFrame(.notAnObject), at: 1).isEmpty) }
        let actions = harness.handle(.invalidFrame(.notAnObject), at: 1)
        #expect(actions == [.stopReplay, .closeSocket(code: .protocolError, reason: "too many malformed frames")])
        #expect(harness.status.lastError == "5 malformed frames in a row from the cloud (last: frame is not a JSON object)")
        #expect(harness.handle(.socketClosed(code: 4400, reason: ""), at: 1).reconnectDelay.map { $0 < .milliseconds(500) } == true)
    }

    /// Nothing a peer or the shell says can put the token into the status.
    @Test func statusTextsNeverCarryTheToken() {
        var harness = StateMachineHarness()
        harness.goLive()
        let secret = StateMachineHarness.token.revealed
        harness.handle(.frame(.error(CloudError(code: "bad", message: "your token \(secret) is odd\nFAKE LOG LINE"))), at: 1)
        #expect(harness.status.lastError == "the cloud reported an error (bad: your token [redacted] is odd FAKE LOG LINE)")
        harness.handle(.socketClosed(code: 4000, reason: "bye \(secret)"), at: 2)
        #expect(harness.status.lastError?.contains(secret) == false)
        for status in harness.statuses {
            #expect(!everyTextForm(of: status).contains(secret))
        }
    }

    @Test func longPeerTextsAreCut() {
        var harness = StateMachineHarness()
        harness.goLive()
        harness.handle(.frame(.error(CloudError(code: "bad", message: String(repeating: "x", count: 5000)))), at: 1)
        #expect((harness.status.lastError?.count ?? 0) < 400)
        #expect(harness.status.lastError?.hasSuffix("…)") == true)
    }
}

/// A link that drops while a background refresh is out waits for that refresh instead of asking
/// twice, and opens the next socket with the new token.
@Suite struct RefreshAcrossReconnectTests {
    @Test func dropDuringARefreshUsesItsAnswer() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        let long = ConnectAck(sessionID: "s", ackedSeq: 0, heartbeatInterval: .seconds(3600), maxInflight: 10)
        harness.goLiveAfterTokenRequest(ack: long, expiresIn: .seconds(600))
        #expect(harness.tickAtDeadline() == [.refreshToken])  // at 540
        harness.handle(.socketClosed(code: 1006, reason: "cut"), at: 541)
        #expect(harness.tickAtDeadline().isEmpty)
        #expect(harness.status.state == .fetchingToken)
        let fresh = DeviceToken("tok-fresh")
        let opened = harness.handle(.tokenFetched(fresh, expiresIn: .seconds(600)))
        #expect(opened == [.openSocket(SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: fresh))])
        guard case .send(.connect(let connect)) = harness.handle(.socketOpened(lastSeq: 0)).first else {
            Issue.record("no connect")
            return
        }
        #expect(connect.token == fresh)
    }
}
