import ConnectorCore
import Testing

/// The small value types the link is built from.
@Suite struct LinkValueTests {
    @Test func monotonicArithmeticSaturates() {
        #expect(at(1) + .milliseconds(500) == at(1.5))
        #expect(at(2) - at(0.5) == .milliseconds(1500))
        #expect(at(0.5) - at(2) == .milliseconds(-1500))
        #expect(MonotonicInstant(nanoseconds: .max - 1) + .seconds(10) == MonotonicInstant(nanoseconds: .max))
        #expect(MonotonicInstant(nanoseconds: .min + 1) + .seconds(-10) == MonotonicInstant(nanoseconds: .min))
        #expect(MonotonicInstant(nanoseconds: 5) + .seconds(Int64.max) == MonotonicInstant(nanoseconds: .max))
        #expect(MonotonicInstant(nanoseconds: .max) - MonotonicInstant(nanoseconds: .min) == .nanoseconds(Int64.max))
        #expect(MonotonicInstant(nanoseconds: .min) - MonotonicInstant(nanoseconds: .max) == .nanoseconds(Int64.min))
        #expect(at(1) < at(2))
        #expect(MonotonicInstant.zero.description == "0ns")
    }

    @Test func closeCodesOfSection6() {
        let codes: [CloseCode] = [.normal, .goingAway, .protocolError, .unauthorized, .forbidden, .timeout]
        #expect(codes.map(\.rawValue) == [1000, 1001, 4400, 4401, 4403, 4408])
        #expect(CloseCode(rawValue: 4408) == .timeout)
        #expect(CloseCode.timeout.description == "4408")
    }

    @Test func linkStatusStateNamesAreStable() {
        #expect(LinkStatus.State.allCases.map(\.rawValue) == [
            "idle", "fetching_token", "connecting", "awaiting_connect_ack", "live", "closing", "backing_off", "stopped",
        ])
        #expect(LinkStatus(connectAttempts: 0).reconnects == 0)
        #expect(LinkStatus(connectAttempts: 1).reconnects == 0)
        #expect(LinkStatus(connectAttempts: 7).reconnects == 6)
    }

    @Test func connectionConfigurationKeepsAtLeastOneInvalidFrame() {
        let configuration = ConnectionConfiguration(
            deviceID: "d", tenantID: "t", agent: AgentInfo(name: "a", version: "1"), maxConsecutiveInvalidFrames: 0)
        #expect(configuration.maxConsecutiveInvalidFrames == 1)
        #expect(configuration.handshakeTimeout == .seconds(30))
        #expect(configuration.reconnectBackoff == .reconnect)
        #expect(configuration.refusalBackoff == .refused)
    }

    @Test func inboundRequestTextHidesReplyTokens() {
        let request = InboundRequest(requestID: "m1", payload: ["request_id": "m1", "reply_token": "rt-1"])
        #expect(request.description == #"request m1 {"request_id":"m1","reply_token":"[redacted]"}"#)
    }

    @Test func pageRequestDescribesItself() {
        var window = ReplayWindow<TestMessage>()
        guard case .fetchPage(let request) = window.start(ackedSeq: 3, lastAssignedSeq: 9, storeAckedSeq: 3, maxInflight: 5).first
        else {
            Issue.record("no page request")
            return
        }
        #expect(request.description == "page after 3 limit 256")
    }

    /// After a failed read the window waits for `retryFetch`, even when acks keep coming.
    @Test func failedReadIsNotRetriedByAcks() {
        var window = ReplayWindow<TestMessage>(configuration: .init(pageSize: 2))
        guard case .fetchPage(let first) = window.start(ackedSeq: 0, lastAssignedSeq: 9, storeAckedSeq: 0, maxInflight: 5).first
        else { return }
        let loaded = window.pageLoaded([TestMessage(seq: 1), TestMessage(seq: 2)], for: first)
        guard case .fetchPage(let second) = loaded.last else {
            Issue.record("expected a read ahead after a full page: \(loaded)")
            return
        }
        window.pageFailed(second)
        #expect(window.nextBatch() == [.send([TestMessage(seq: 1), TestMessage(seq: 2)])])
        #expect(window.ack(1) == [.markAcked(through: 1)])
        #expect(window.appended(lastSeq: 10).isEmpty)
        #expect(window.retryFetch().count == 1)
    }
}
