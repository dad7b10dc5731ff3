/// `connect_ack` (PROTOCOL §3.4): the session is accepted and replay resumes above `ackedSeq`.
public struct ConnectAck: Sendable, Equatable {
    public static let defaultHeartbeatInterval = Duration.milliseconds(15_000)
    public static let defaultMaxInflight = 1000

    public var sessionID: String
    /// The highest device seq the cloud durably holds; 0 when none.
    public var ackedSeq: Int64
    /// `heartbeat_interval_ms`, 15 s when absent.
    public var heartbeatInterval: Duration
    /// `max_inflight`, 1000 when absent.
    public var maxInflight: Int
    /// When present and not the device's tenant, the device must refuse the session.
    public var tenantID: String?

    public init(
        sessionID: String, ackedSeq: Int64, heartbeatInterval: Duration = Self.defaultHeartbeatInterval,
        maxInflight: Int = Self.defaultMaxInflight, tenantID: String? = nil
    ) {
        self.sessionID = sessionID
        self.ackedSeq = ackedSeq
        self.heartbeatInterval = heartbeatInterval
        self.maxInflight = maxInflight
        self.tenantID = tenantID
    }
}

/// `execution_request` and `messaging_event`: the request id the link and the inbox key on, and the
/// whole payload for the handler, which validates the rest (a later stage owns those rules).
public struct InboundRequest: Sendable, Equatable {
    public var requestID: String
    public var payload: JSONObject

    public init(requestID: String, payload: JSONObject) {
        self.requestID = requestID
        self.payload = payload
    }
}

extension InboundRequest: CustomStringConvertible, CustomReflectable {
    /// Messaging payloads carry `reply_token`, so text forms show the payload redacted.
    public var description: String {
        "request \(requestID) \(Redaction.redact(.object(payload)))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["requestID": requestID, "payload": Redaction.redact(.object(payload))])
    }
}

/// `execution_cancel`.
public struct ExecutionCancel: Sendable, Equatable {
    public var requestID: String
    public var reason: String?

    public init(requestID: String, reason: String? = nil) {
        self.requestID = requestID
        self.reason = reason
    }
}

/// `capability_reload`: both fields are optional hints for the reload action.
public struct CapabilityReload: Sendable, Equatable {
    public var pack: String?
    public var version: String?

    public init(pack: String? = nil, version: String? = nil) {
        self.pack = pack
        self.version = version
    }
}

/// `error` {code, message}. The three refusal codes of §3.4 have their own meaning for the link.
public struct CloudError: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var refusal: Refusal? { Refusal(rawValue: code) }

    /// Why the cloud refused a session; it closes with `closeCode` after saying so.
    public enum Refusal: String, Sendable, CaseIterable {
        case unauthorized
        case tenantMismatch = "tenant_mismatch"
        case protocolUnsupported = "protocol_unsupported"

        public var closeCode: CloseCode {
            switch self {
            case .unauthorized: .unauthorized
            case .tenantMismatch: .forbidden
            case .protocolUnsupported: .protocolError
            }
        }
    }
}
