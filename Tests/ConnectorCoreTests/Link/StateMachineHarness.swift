import ConnectorCore
import Testing

/// Drives a `ConnectionStateMachine` the way the shell will: events at explicit times, actions
/// collected, status reports split off so tests can check them separately.
struct StateMachineHarness {
    static let configuration = ConnectionConfiguration(
        deviceID: "dev-1", tenantID: "tenant-a", agent: AgentInfo(name: "cloud-connector", version: "0.1.0"))
    static let token = DeviceToken("tok-1")
    static let ack = ConnectAck(sessionID: "sess-1", ackedSeq: 5, heartbeatInterval: .seconds(10), maxInflight: 50)

    var machine: ConnectionStateMachine
    var now = MonotonicInstant.zero
    /// Every status reported, in order.
    var statuses: [LinkStatus] = []

    init(configuration: ConnectionConfiguration = Self.configuration, seed: UInt64 = 7) {
        machine = ConnectionStateMachine(configuration: configuration, jitterSeed: seed)
    }

    var status: LinkStatus { machine.linkStatus }

    /// The actions for `event` at `seconds` (or at the current time), without `reportStatus`.
    @discardableResult
    mutating func handle(_ event: ConnectionEvent, at seconds: Double? = nil) -> [ConnectionAction] {
        if let seconds { now = at(seconds) }
        var actions: [ConnectionAction] = []
        for action in machine.handle(event, at: now) {
            if case .reportStatus(let status) = action { statuses.append(status) } else { actions.append(action) }
        }
        return actions
    }

    /// Ticks at the machine's next deadline.
    @discardableResult
    mutating func tickAtDeadline() -> [ConnectionAction] {
        guard let deadline = machine.nextDeadline else {
            Issue.record("no deadline to tick at")
            return []
        }
        now = deadline
        return handle(.tick)
    }

    /// start → token → socket → connect → connect_ack, checking each step's actions.
    mutating func goLive(ack: ConnectAck = Self.ack, lastSeq: Int64 = 9, expiresIn: Duration? = .seconds(3600)) {
        #expect(handle(.start) == [.fetchToken])
        goLiveAfterTokenRequest(ack: ack, lastSeq: lastSeq, expiresIn: expiresIn)
    }

    mutating func goLiveAfterTokenRequest(ack: ConnectAck = Self.ack, lastSeq: Int64 = 9, expiresIn: Duration? = .seconds(3600)) {
        let request = SocketRequest(deviceID: "dev-1", tenantID: "tenant-a", token: Self.token)
        #expect(handle(.tokenFetched(Self.token, expiresIn: expiresIn)) == [.openSocket(request)])
        openAndAck(ack: ack, lastSeq: lastSeq)
    }

    mutating func openAndAck(ack: ConnectAck = Self.ack, lastSeq: Int64 = 9) {
        #expect(handle(.socketOpened(lastSeq: lastSeq)) == [.send(.connect(Self.connectPayload(lastSeq: lastSeq)))])
        let start = ReplayStart(
            sessionID: ack.sessionID, ackedSeq: ack.ackedSeq, maxInflight: ack.maxInflight,
            heartbeatInterval: ack.heartbeatInterval)
        #expect(handle(.frame(.connectAck(ack))) == [.startReplay(start)])
        #expect(status.state == .live)
    }

    static func connectPayload(lastSeq: Int64) -> ConnectPayload {
        ConnectPayload(
            deviceID: "dev-1", tenantID: "tenant-a", token: token, agent: configuration.agent, lastSeq: lastSeq)
    }
}

extension Array where Element == ConnectionAction {
    /// The delay of the one `scheduleReconnect` in these actions.
    var reconnectDelay: Duration? {
        for action in self {
            if case .scheduleReconnect(let delay) = action { return delay }
        }
        return nil
    }
}
