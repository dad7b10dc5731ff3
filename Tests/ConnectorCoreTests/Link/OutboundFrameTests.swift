import ConnectorCore
import Testing

/// Device → cloud non-outbox frames: encoded, parsed back, and compared with frames written by
/// hand from PROTOCOL.md §3.3 and §4.
@Suite struct OutboundFrameTests {
    static let id = "3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8"
    static let wallClockMS: Int64 = 1_795_514_400_123  // 2026-11-24T10:00:00.123Z
    static let token = DeviceToken("tok-SECRET-9f8e7d")

    static let connect = ConnectPayload(
        deviceID: "dev-42", tenantID: "acme", token: token, agent: AgentInfo(name: "cloud-connector", version: "1.2.3"),
        lastSeq: 1234)

    private func parsed(_ frame: OutboundFrame) throws -> JSONValue {
        try JSON.parse(frame.encoded(id: Self.id, timestampMS: Self.wallClockMS))
    }

    @Test func connect() throws {
        let golden = """
            {"type":"connect","id":"3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8","ts":"2026-11-24T10:00:00.123Z",
             "payload":{"device_id":"dev-42","tenant_id":"acme","token":"tok-SECRET-9f8e7d","protocol":1,
                        "agent":{"name":"cloud-connector","version":"1.2.3"},"resume":{"last_seq":1234}}}
            """
        #expect(try parsed(.connect(Self.connect)) == JSON.parse(golden))
    }

    @Test func connectWithEmptyStoreResumesFromZero() throws {
        var payload = Self.connect
        payload.lastSeq = 0
        #expect(try parsed(.connect(payload))["payload"]?["resume"] == ["last_seq": 0])
    }

    @Test func heartbeat() throws {
        let golden = """
            {"type":"heartbeat","id":"3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8","ts":"2026-11-24T10:00:00.123Z",
             "payload":{"last_seq":1234,"pending":17}}
            """
        #expect(try parsed(.heartbeat(lastSeq: 1234, pending: 17)) == JSON.parse(golden))
    }

    @Test func pongIsByteExact() {
        let text = String(decoding: OutboundFrame.pong.encoded(id: Self.id, timestampMS: Self.wallClockMS), as: UTF8.self)
        #expect(text == #"{"type":"pong","id":"3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8","ts":"2026-11-24T10:00:00.123Z","payload":{}}"#)
    }

    @Test func envelopeKeysComeInProtocolOrder() throws {
        for frame in [OutboundFrame.connect(Self.connect), .heartbeat(lastSeq: 1, pending: 0), .pong] {
            #expect(try parsed(frame).objectValue?.keys == ["type", "id", "ts", "payload"])
        }
    }

    @Test func timestampIsUTCWithMilliseconds() throws {
        #expect(try JSON.parse(OutboundFrame.pong.encoded(id: "x", timestampMS: 0))["ts"] == "1970-01-01T00:00:00.000Z")
    }

    @Test func stringsAreEscaped() throws {
        var payload = Self.connect
        payload.agent = AgentInfo(name: "a\"b\\c\n", version: "é")
        #expect(try parsed(.connect(payload))["payload"]?["agent"] == ["name": "a\"b\\c\n", "version": "é"])
    }

    @Test func frameTypes() {
        #expect(OutboundFrame.connect(Self.connect).type == "connect")
        #expect(OutboundFrame.heartbeat(lastSeq: 0, pending: 0).type == "heartbeat")
        #expect(OutboundFrame.pong.type == "pong")
    }
}

/// The token reaches the wire through exactly two doors (the Authorization header and the
/// connect frame) and no text form of any link type.
@Suite struct TokenSecrecyTests {
    static let secret = "tok-SECRET-9f8e7d"
    static let token = DeviceToken(secret)

    @Test func tokenItself() {
        #expect(Self.token.revealed == Self.secret)
        #expect(!everyTextForm(of: Self.token).contains(Self.secret))
        #expect(!everyTextForm(of: Optional(Self.token)).contains(Self.secret))
        #expect(everyTextForm(of: Self.token).contains("[redacted]"))
    }

    @Test func typesThatCarryTheToken() {
        let payload = OutboundFrameTests.connect
        let request = SocketRequest(deviceID: "dev-42", tenantID: "acme", token: Self.token)
        let values: [any Sendable] = [
            payload, OutboundFrame.connect(payload), request, ConnectionAction.openSocket(request),
            ConnectionAction.send(.connect(payload)), ConnectionEvent.tokenFetched(Self.token, expiresIn: .seconds(60)),
            [ConnectionAction.openSocket(request)],
        ]
        for value in values {
            let text = everyTextForm(of: value)
            #expect(!text.contains(Self.secret), "\(type(of: value)) shows the token")
        }
    }

    @Test func socketRequestHeadersRevealItForTheUpgradeOnly() {
        let request = SocketRequest(deviceID: "dev-42", tenantID: "acme", token: Self.token)
        #expect(request.headers.map(\.name) == ["Authorization", "X-Device-Id", "X-Tenant-Id"])
        #expect(request.headers.map(\.value) == ["Bearer " + Self.secret, "dev-42", "acme"])
        #expect(request.description == "Authorization: Bearer [redacted], X-Device-Id: dev-42, X-Tenant-Id: acme")
    }

    @Test func stateMachineHoldingATokenDoesNotShowIt() {
        var machine = ConnectionStateMachine(configuration: StateMachineHarness.configuration, jitterSeed: 1)
        _ = machine.handle(.start, at: at(0))
        _ = machine.handle(.tokenFetched(Self.token, expiresIn: nil), at: at(0))
        #expect(!everyTextForm(of: machine).contains(Self.secret))
    }
}
