/// Misbehaviour on demand, so device tests can exercise every recovery path against a real peer.
/// Settable at start (configuration) and at run time (`ReferenceCloud.setFaults`, admin endpoint).
public struct CloudFaults: Sendable, Equatable {
    /// Cut the TCP connection (no close handshake) once this many frames arrived on it.
    public var dropAfterFrames: Int?
    /// Wait this long after the durable commit before sending the ack.
    public var ackDelay: Duration?
    /// Store messages but never ack them.
    public var withholdAcks: Bool
    /// `GET /device-token` answers 401 to everyone.
    public var refuseTokens: Bool
    /// These devices get 403 from `GET /device-token` and at the upgrade.
    public var refusedDevices: Set<String>
    /// Keep TCP open but send nothing at all: no connect_ack, no heartbeat_ack, no acks.
    public var silent: Bool
    /// Announce this tenant in `connect_ack` instead of the device's (tests R12's 4403 on the device).
    public var announcedTenant: String?

    // The three below break a cloud-side rule on purpose: they are the negative controls of the
    // conformance kit (`cloud-connector conformance`), which must name each one precisely.

    /// Breaks R6: a message the cloud already holds (same seq, or same id under a new seq) is kept
    /// again as a copy and counted, as a cloud without dedupe would. It is acked as usual, so the
    /// wire looks healthy; only the counts show it.
    public var countResends: Bool
    /// Breaks R5: every `ack` names one seq more than the highest the cloud holds, a seq it never
    /// received. `connect_ack` stays truthful.
    public var ackUnreceived: Bool
    /// Breaks R9: `heartbeat` is never answered; everything else works.
    public var ignoreHeartbeats: Bool

    public init(
        dropAfterFrames: Int? = nil, ackDelay: Duration? = nil, withholdAcks: Bool = false,
        refuseTokens: Bool = false, refusedDevices: Set<String> = [], silent: Bool = false,
        announcedTenant: String? = nil, countResends: Bool = false, ackUnreceived: Bool = false,
        ignoreHeartbeats: Bool = false
    ) {
        self.dropAfterFrames = dropAfterFrames
        self.ackDelay = ackDelay
        self.withholdAcks = withholdAcks
        self.refuseTokens = refuseTokens
        self.refusedDevices = refusedDevices
        self.silent = silent
        self.announcedTenant = announcedTenant
        self.countResends = countResends
        self.ackUnreceived = ackUnreceived
        self.ignoreHeartbeats = ignoreHeartbeats
    }
}

/// Bad frames the cloud can send to a device on request (R15 on the device side).
public enum MalformedFrame: String, Sendable, CaseIterable {
    case invalidJSON = "invalid_json"
    case missingType = "missing_type"
    case binary
    /// A text frame just over 1 MiB.
    case oversized
    case unknownType = "unknown_type"
}
