/// A device → cloud frame outside the outbox (PROTOCOL §3, §4): never stored, never resent, no seq.
/// Outbox messages are framed by the store from their stored bytes instead.
public enum OutboundFrame: Sendable, Equatable {
    case connect(ConnectPayload)
    /// `last_seq`: the highest seq ever assigned; `pending`: outbox messages not yet acked.
    case heartbeat(lastSeq: Int64, pending: Int64)
    case pong

    public var type: String {
        switch self {
        case .connect: "connect"
        case .heartbeat: "heartbeat"
        case .pong: "pong"
        }
    }

    /// The frame's JSON text. `id` is a fresh UUID and `timestampMS` the wall-clock time in Unix
    /// milliseconds, both from the shell: the pure core has neither randomness nor a wall clock.
    public func encoded(id: String, timestampMS: Int64) -> [UInt8] {
        let envelope: JSONValue = [
            "type": .string(type),
            "id": .string(id),
            "ts": .string(RFC3339.format(milliseconds: timestampMS)),
            "payload": payload,
        ]
        return JSON.encode(envelope)
    }

    private var payload: JSONValue {
        switch self {
        case .connect(let connect):
            return [
                "device_id": .string(connect.deviceID),
                "tenant_id": .string(connect.tenantID),
                "token": .string(connect.token.revealed),
                "protocol": .number(JSONNumber(Int64(ConnectPayload.protocolVersion))),
                "agent": ["name": .string(connect.agent.name), "version": .string(connect.agent.version)],
                "resume": ["last_seq": .number(JSONNumber(connect.lastSeq))],
            ]
        case .heartbeat(let lastSeq, let pending):
            return ["last_seq": .number(JSONNumber(lastSeq)), "pending": .number(JSONNumber(pending))]
        case .pong:
            return .object(JSONObject())
        }
    }
}

extension OutboundFrame: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connect(let connect): "connect \(connect)"
        case .heartbeat(let lastSeq, let pending): "heartbeat last_seq=\(lastSeq) pending=\(pending)"
        case .pong: "pong"
        }
    }
}

/// What identifies the agent software in `connect.agent`.
public struct AgentInfo: Sendable, Equatable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

/// The `connect` payload (PROTOCOL §3.3). Its text forms never show the token.
public struct ConnectPayload: Sendable, Equatable, CustomStringConvertible {
    public static let protocolVersion = 1

    public var deviceID: String
    public var tenantID: String
    public var token: DeviceToken
    public var agent: AgentInfo
    /// `resume.last_seq`: the highest seq the device has ever assigned, 0 when none.
    public var lastSeq: Int64

    public init(deviceID: String, tenantID: String, token: DeviceToken, agent: AgentInfo, lastSeq: Int64) {
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.token = token
        self.agent = agent
        self.lastSeq = lastSeq
    }

    public var description: String {
        "device \(deviceID) tenant \(tenantID) token \(token) protocol \(Self.protocolVersion) "
            + "agent \(agent.name)/\(agent.version) resume last_seq=\(lastSeq)"
    }
}
