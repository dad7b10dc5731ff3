import ConnectorCore
import Testing

/// R9 and R10 inside the state machine, and the token's lifetime; all on the injected clock.
@Suite struct ConnectionTimingTests {
    /// Live at t=0 with a 10 s heartbeat interval (the harness's connect_ack).
    private func liveHarness(expiresIn: Duration? = .seconds(3600)) -> StateMachineHarness {
        var harness = StateMachineHarness()
        harness.now = at(0)
        harness.goLive(expiresIn: expiresIn)
        return harness
    }

    @Test func heartbeatsWhileTheCloudAnswers() {
        var harness = liveHarness()
        for beat in 1...30 {
            #expect(harness.machine.nextDeadline == at(Double(beat * 10)))
            #expect(harness.tickAtDeadline() == [.sendHeartbeat])
            harness.handle(.frame(.heartbeatAck(ts: nil)), at: Double(beat * 10) + 0.05)
        }
        #expect(harness.status.state == .live)
    }

    /// R9: no frame at all for 3 intervals → close 4408 → reconnect with backoff.
    @Test func silentCloudIsStaleAfterThreeIntervals() {
        var harness = liveHarness()
        #expect(harness.tickAtDeadline() == [.sendHeartbeat])  // t=10
        #expect(harness.tickAtDeadline() == [.sendHeartbeat])  // t=20
        #expect(harness.machine.nextDeadline == at(30))
        #expect(harness.handle(.tick, at: 29.999).isEmpty)
        #expect(harness.handle(.tick, at: 30) == [.stopReplay, .closeSocket(code: .timeout, reason: "heartbeat timeout")])
        #expect(harness.status.lastError == "no frame from the cloud for 30 s (3 heartbeat intervals)")
        #expect(harness.machine.nextDeadline == at(40), "waiting for the socket to close, at most closeDeadline")
        let delay = harness.handle(.socketClosed(code: 4408, reason: "heartbeat timeout"), at: 30.1).reconnectDelay
        #expect(delay.map { $0 < .milliseconds(500) } == true)
        let request = SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: StateMachineHarness.token)
        #expect(harness.tickAtDeadline() == [.openSocket(request)])
    }

    @Test func aCloseThatNeverCompletesIsAbandonedAndTheLinkComesBack() {
        var harness = liveHarness()
        harness.tickAtDeadline()
        harness.tickAtDeadline()
        #expect(harness.handle(.tick, at: 30) == [.stopReplay, .closeSocket(code: .timeout, reason: "heartbeat timeout")])
        // The transport never reports the close: at the close deadline the socket is given up.
        #expect(harness.handle(.tick, at: 39.999).isEmpty)
        let actions = harness.handle(.tick, at: 40)
        #expect(actions.first == .abandonSocket)
        #expect(actions.reconnectDelay != nil, "\(actions)")
        #expect(harness.status.state == .backingOff)
        #expect(harness.status.lastError == "no frame from the cloud for 30 s (3 heartbeat intervals)")
        // A close report for the abandoned socket that arrives while backing off changes nothing
        // (after the next attempt has begun, the shell drops it: it belongs to an older attempt).
        #expect(harness.handle(.socketClosed(code: nil, reason: "late")).isEmpty)
        let request = SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: StateMachineHarness.token)
        #expect(harness.tickAtDeadline() == [.openSocket(request)])
    }

    @Test func aShutdownWhoseCloseNeverCompletesStillStops() {
        var harness = liveHarness()
        #expect(harness.handle(.shutdown, at: 1) == [.stopReplay, .closeSocket(code: .goingAway, reason: "shutdown")])
        #expect(harness.machine.nextDeadline == at(11))
        #expect(harness.tickAtDeadline() == [.abandonSocket])
        #expect(harness.status.state == .stopped)
        #expect(harness.machine.nextDeadline == nil)
    }

    @Test func anyFrameKeepsTheLinkFresh() {
        var harness = liveHarness()
        let frames: [ConnectionEvent] = [
            .frame(.ack(seq: 1)), .frame(.ping), .invalidFrame(.missingType), .frame(.unknown(type: "x")),
        ]
        var time = 0.0
        for round in 0..<20 {
            time += 25  // less than 3 intervals between frames
            harness.handle(frames[round % frames.count], at: time)
            #expect(harness.handle(.tick, at: time) != [.stopReplay, .closeSocket(code: .timeout, reason: "heartbeat timeout")])
            #expect(harness.status.state == .live)
        }
    }

    @Test func socketThatNeverOpensTimesOut() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil), at: 1)
        #expect(harness.machine.nextDeadline == at(31))
        #expect(harness.tickAtDeadline() == [.closeSocket(code: .timeout, reason: "handshake timeout")])
        #expect(harness.status.lastError == "the WebSocket did not open within 30 s")
        #expect(harness.handle(.socketClosed(code: nil, reason: "aborted"), at: 31).reconnectDelay != nil)
        #expect(harness.status.lastError == "the WebSocket did not open within 30 s", "our reason, not the transport's")
    }

    @Test func missingConnectAckTimesOut() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil), at: 0)
        harness.handle(.socketOpened(lastSeq: 0), at: 2)
        #expect(harness.machine.nextDeadline == at(30), "the deadline covers opening and the answer")
        #expect(harness.handle(.tick, at: 29).isEmpty)
        #expect(harness.handle(.tick, at: 30) == [.closeSocket(code: .timeout, reason: "handshake timeout")])
        #expect(harness.status.lastError == "no connect_ack within 30 s of connecting")
    }

    /// R10: delays grow while the link flaps, and start over once a connection stayed up 30 s.
    @Test func backoffResetsOnlyAfterAStableConnection() {
        var harness = liveHarness()
        var attempts: [Int] = []
        for _ in 0..<4 {
            // Up for 5 s, then cut.
            harness.handle(.frame(.heartbeatAck(ts: nil)), at: harness.now.seconds + 5)
            harness.handle(.socketClosed(code: 1006, reason: "cut"))
            attempts.append(harness.machine.reconnectBackoff.attempt)
            harness.tickAtDeadline()
            harness.openAndAck()
        }
        #expect(attempts == [1, 2, 3, 4])
        // Stable for 30 s (heartbeats answered), then cut: the schedule starts over.
        let liveAt = harness.now.seconds
        while harness.now.seconds < liveAt + 30 {
            harness.tickAtDeadline()
            harness.handle(.frame(.heartbeatAck(ts: nil)))
        }
        let delay = harness.handle(.socketClosed(code: 1006, reason: "cut")).reconnectDelay
        #expect(harness.machine.reconnectBackoff.attempt == 1)
        #expect(delay.map { $0 < .milliseconds(500) } == true)
    }

    @Test func reconnectDelaysFollowFullJitterBounds() {
        var harness = StateMachineHarness(seed: 1234)
        harness.handle(.start, at: 0)
        for attempt in 0..<40 {
            let delay = harness.handle(.tokenFailed(reason: "down")).reconnectDelay ?? .seconds(-1)
            let ceiling = Backoff().ceiling(attempt: attempt)
            #expect(delay >= .zero && delay < ceiling)
            #expect(harness.tickAtDeadline() == [.fetchToken])
        }
    }

    /// The token is refreshed in the background before it expires; the link stays up.
    @Test func tokenIsRefreshedBeforeExpiry() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        let long = ConnectAck(sessionID: "s", ackedSeq: 0, heartbeatInterval: .seconds(3600), maxInflight: 10)
        harness.goLiveAfterTokenRequest(ack: long, expiresIn: .seconds(3600))
        // Margin: 60 s (a fifth of 3600 s would be more), so the refresh is due at 3540 s.
        #expect(harness.machine.nextDeadline == at(3540))
        #expect(harness.tickAtDeadline() == [.refreshToken])
        #expect(harness.machine.nextDeadline == at(3600), "no second refresh while one is out")
        #expect(harness.handle(.tokenFetched(DeviceToken("tok-2"), expiresIn: .seconds(3600)), at: 3541).isEmpty)
        #expect(harness.status.state == .live)
        #expect(harness.machine.nextDeadline == at(3600))
        harness.handle(.frame(.heartbeatAck(ts: nil)), at: 3600)
        harness.handle(.socketClosed(code: 1006, reason: "cut"), at: 3601)
        let next = harness.tickAtDeadline()
        #expect(next == [.openSocket(SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: DeviceToken("tok-2")))])
    }

    @Test func shortLivedTokensAreNotRefreshedInATightLoop() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        let long = ConnectAck(sessionID: "s", ackedSeq: 0, heartbeatInterval: .seconds(3600), maxInflight: 10)
        harness.goLiveAfterTokenRequest(ack: long, expiresIn: .seconds(2))
        #expect(harness.machine.nextDeadline == at(30))
    }

    @Test func failedBackgroundRefreshIsRetriedLater() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        let long = ConnectAck(sessionID: "s", ackedSeq: 0, heartbeatInterval: .seconds(3600), maxInflight: 10)
        harness.goLiveAfterTokenRequest(ack: long, expiresIn: .seconds(600))
        #expect(harness.tickAtDeadline() == [.refreshToken])  // at 540
        #expect(harness.handle(.tokenFailed(reason: "timeout"), at: 541).isEmpty)
        #expect(harness.status.state == .live)
        #expect(harness.machine.nextDeadline == at(571))
        #expect(harness.tickAtDeadline() == [.refreshToken])
        #expect(harness.handle(.tokenRefused(status: 403), at: 572).isEmpty)
        #expect(harness.status.state == .live, "the session stays; the next attempt asks again")
        #expect(harness.status.tokenRefusals == 1)
        harness.handle(.frame(.heartbeatAck(ts: nil)), at: 600)
        harness.handle(.socketClosed(code: 1006, reason: "cut"), at: 601)
        #expect(harness.tickAtDeadline() == [.fetchToken])
    }

    /// A token that lapsed while the link was down is fetched again before the next attempt.
    @Test func expiredTokenIsFetchedBeforeTheNextAttempt() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.goLiveAfterTokenRequest(expiresIn: .seconds(100))
        harness.handle(.socketClosed(code: 1006, reason: "cut"), at: 5)
        harness.now = at(200)
        #expect(harness.handle(.tick) == [.fetchToken])
    }
}

extension MonotonicInstant {
    var seconds: Double { Double(nanoseconds) / 1_000_000_000 }
}
