import ConnectorCore
import Testing

/// Shutdown closes with 1001 and never comes back, whatever state it finds.
@Suite struct ConnectionShutdownTests {
    @Test func shutdownWhileLive() {
        var harness = StateMachineHarness()
        harness.goLive()
        #expect(harness.handle(.shutdown, at: 1) == [.stopReplay, .closeSocket(code: .goingAway, reason: "shutdown")])
        #expect(harness.status.state == .closing)
        #expect(harness.handle(.frame(.ack(seq: 7)), at: 1).isEmpty, "nothing is delivered while closing")
        #expect(harness.handle(.socketClosed(code: 1001, reason: "shutdown"), at: 1.1).isEmpty)
        #expect(harness.status.state == .stopped)
        #expect(harness.machine.nextDeadline == nil)
        for event: ConnectionEvent in [.start, .tick, .frame(.ping), .tokenFetched(StateMachineHarness.token, expiresIn: nil)] {
            #expect(harness.handle(event, at: 100).isEmpty)
        }
    }

    @Test func shutdownDuringTheHandshake() {
        var harness = StateMachineHarness()
        harness.handle(.start, at: 0)
        harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil))
        #expect(harness.handle(.shutdown) == [.closeSocket(code: .goingAway, reason: "shutdown")])
        harness.handle(.socketClosed(code: nil, reason: "aborted"))
        #expect(harness.status.state == .stopped)
    }

    /// A shutdown that arrives while another close is under way still ends in `stopped`.
    @Test func shutdownWhileClosingForAnotherReason() {
        var harness = StateMachineHarness()
        harness.goLive()
        harness.handle(.frame(.error(CloudError(code: "tenant_mismatch", message: ""))), at: 1)
        #expect(harness.handle(.shutdown).isEmpty)
        #expect(harness.handle(.socketClosed(code: 4403, reason: "")).isEmpty)
        #expect(harness.status.state == .stopped)
    }

    @Test(arguments: ["idle", "fetching", "backingOff"])
    func shutdownWithoutASocketStopsAtOnce(state: String) {
        var harness = StateMachineHarness()
        switch state {
        case "fetching":
            harness.handle(.start)
        case "backingOff":
            harness.handle(.start)
            harness.handle(.tokenFailed(reason: "down"))
        default:
            break
        }
        #expect(harness.handle(.shutdown).isEmpty)
        #expect(harness.status.state == .stopped)
        #expect(harness.machine.nextDeadline == nil)
        #expect(harness.handle(.tokenFetched(StateMachineHarness.token, expiresIn: nil)).isEmpty)
    }
}
