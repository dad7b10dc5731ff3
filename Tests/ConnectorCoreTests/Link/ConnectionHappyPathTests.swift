import ConnectorCore
import Testing

/// PROTOCOL §3 from `start` to a live session and what a live session does with frames.
@Suite struct ConnectionHappyPathTests {
    @Test func handshakeStepByStep() {
        var harness = StateMachineHarness()
        #expect(harness.status.state == .idle)
        #expect(harness.handle(.start, at: 0) == [.fetchToken])
        #expect(harness.statuses.last?.state == .fetchingToken)

        let request = SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: StateMachineHarness.token)
        #expect(harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: .seconds(3600)), at: 0.2) == [.openSocket(request)])
        #expect(harness.statuses.last?.state == .connecting)
        #expect(harness.status.connectAttempts == 1)

        let connect = StateMachineHarness.connectPayload(lastSeq: 41)
        #expect(harness.handle(.socketOpened(lastSeq: 41), at: 0.3) == [.send(.connect(connect))])
        #expect(harness.statuses.last?.state == .awaitingConnectAck)

        let ack = ConnectAck(sessionID: "sess-9", ackedSeq: 40, heartbeatInterval: .seconds(15), maxInflight: 1000)
        let start = ReplayStart(sessionID: "sess-9", ackedSeq: 40, maxInflight: 1000, heartbeatInterval: .seconds(15))
        #expect(harness.handle(.frame(.connectAck(ack)), at: 0.4) == [.startReplay(start)])
        #expect(harness.statuses.last == LinkStatus(state: .live, sessionID: "sess-9", connectAttempts: 1, sessions: 1))
        #expect(harness.machine.nextDeadline == at(15.4), "first heartbeat one interval after connect_ack")
    }

    @Test func connectAckForOurOwnTenantOrNoneIsAccepted() {
        for tenant in ["tenant-a", nil] {
            var harness = StateMachineHarness()
            harness.goLive(ack: ConnectAck(sessionID: "s", ackedSeq: 0, tenantID: tenant))
        }
    }

    @Test(arguments: [
        InboundFrame.ack(seq: 12),
        .executionRequest(InboundRequest(requestID: "r1", payload: ["request_id": "r1", "job_type": "tool"])),
        .executionCancel(ExecutionCancel(requestID: "r1")),
        .messagingEvent(InboundRequest(requestID: "m1", payload: ["request_id": "m1"])),
        .capabilityReload(CapabilityReload(pack: "p")),
    ])
    func liveFramesAreDelivered(frame: InboundFrame) {
        var harness = StateMachineHarness()
        harness.goLive()
        #expect(harness.handle(.frame(frame), at: 1) == [.deliver(frame)])
    }

    @Test func pingIsAnsweredWithPongLiveAndDuringTheHandshake() {
        var harness = StateMachineHarness()
        #expect(harness.handle(.start) == [.fetchToken])
        _ = harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        _ = harness.handle(.socketOpened(lastSeq: 0))
        #expect(harness.handle(.frame(.ping)) == [.send(.pong)])
        harness.handle(.frame(.connectAck(StateMachineHarness.ack)))
        #expect(harness.handle(.frame(.ping), at: 2) == [.send(.pong)])
        #expect(harness.handle(.frame(.ping), at: 2) == [.send(.pong)])
    }

    @Test func heartbeatAcksAndUnknownFramesAreQuiet() {
        var harness = StateMachineHarness()
        harness.goLive()
        #expect(harness.handle(.frame(.heartbeatAck(ts: nil)), at: 1).isEmpty)
        #expect(harness.handle(.frame(.unknown(type: "firmware_offer")), at: 1) == [.ignoreFrame(type: "firmware_offer", reason: "unknown type")])
        #expect(harness.status.state == .live)
    }

    @Test func nonRefusalErrorIsReportedAndTheLinkStays() {
        var harness = StateMachineHarness()
        harness.goLive()
        #expect(harness.handle(.frame(.error(CloudError(code: "rate_limited", message: "slow down"))), at: 1).isEmpty)
        #expect(harness.status.state == .live)
        #expect(harness.status.lastError == "the cloud reported an error (rate_limited: slow down)")
        #expect(harness.statuses.last?.lastError == harness.status.lastError, "the change was reported")
    }

    /// §3.5: no outbox message before connect_ack. The replay starts only with `startReplay`, and
    /// frames meant for it or the handlers are held back until then.
    @Test(arguments: [
        InboundFrame.ack(seq: 3),
        .executionRequest(InboundRequest(requestID: "r1", payload: ["request_id": "r1"])),
        .executionCancel(ExecutionCancel(requestID: "r1")),
        .messagingEvent(InboundRequest(requestID: "m1", payload: ["request_id": "m1"])),
        .capabilityReload(CapabilityReload()),
    ])
    func nothingIsDeliveredBeforeConnectAck(frame: InboundFrame) {
        var harness = StateMachineHarness()
        harness.handle(.start)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        harness.handle(.socketOpened(lastSeq: 0))
        #expect(harness.handle(.frame(frame)) == [.ignoreFrame(type: frame.type, reason: "arrived before connect_ack")])
        #expect(harness.status.state == .awaitingConnectAck)
    }

    @Test func noSecondConnectOnOneSocket() {
        var harness = StateMachineHarness()
        harness.handle(.start)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        #expect(harness.handle(.socketOpened(lastSeq: 3)).count == 1)
        #expect(harness.handle(.socketOpened(lastSeq: 3)).isEmpty)
        harness.handle(.frame(.connectAck(StateMachineHarness.ack)))
        #expect(harness.handle(.socketOpened(lastSeq: 3)).isEmpty)
        #expect(harness.handle(.frame(.connectAck(StateMachineHarness.ack))) == [.ignoreFrame(type: "connect_ack", reason: "a second connect_ack on one socket")])
    }

    /// Across reconnects: every socket gets exactly one `connect`, always before its `startReplay`.
    @Test func oneConnectPerSocketAcrossReconnects() {
        var harness = StateMachineHarness()
        var log: [ConnectionAction] = []
        log += harness.handle(.start)
        log += harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        for round in 0..<5 {
            log += harness.handle(.socketOpened(lastSeq: Int64(round)))
            log += harness.handle(.socketOpened(lastSeq: Int64(round)))
            log += harness.handle(.frame(.connectAck(StateMachineHarness.ack)))
            log += harness.handle(.socketClosed(code: 1006, reason: "cut"), at: Double(round * 100 + 1))
            log += harness.tickAtDeadline()
        }
        var connectsOnSocket = 0
        var sockets = 0
        for action in log {
            switch action {
            case .openSocket:
                sockets += 1
                connectsOnSocket = 0
            case .send(.connect):
                connectsOnSocket += 1
                #expect(connectsOnSocket == 1)
            case .startReplay:
                #expect(connectsOnSocket == 1, "replay before connect")
            default: break
            }
        }
        #expect(sockets == 6)
        #expect(harness.status.connectAttempts == 6)
        #expect(harness.status.reconnects == 5)
        #expect(harness.status.sessions == 5)
    }

    @Test func eventsOutOfPlaceAreIgnored() {
        var harness = StateMachineHarness()
        #expect(harness.handle(.tick).isEmpty)
        #expect(harness.handle(.frame(.ping)).isEmpty)
        #expect(harness.handle(.socketOpened(lastSeq: 1)).isEmpty)
        #expect(harness.handle(.socketClosed(code: 1000, reason: "")).isEmpty)
        #expect(harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil)).isEmpty)
        #expect(harness.handle(.tokenRefused(status: 401)).isEmpty)
        #expect(harness.handle(.tokenFailed(reason: "x")).isEmpty)
        #expect(harness.statuses.isEmpty)
        harness.handle(.start)
        #expect(harness.handle(.start).isEmpty, "start is idempotent")
    }

    @Test func liveActionsNeverIncludeAStatusReportWithoutAChange() {
        var harness = StateMachineHarness()
        harness.goLive()
        let count = harness.statuses.count
        harness.handle(.frame(.ack(seq: 9)), at: 1)
        harness.handle(.frame(.heartbeatAck(ts: nil)), at: 2)
        #expect(harness.statuses.count == count)
    }
}
