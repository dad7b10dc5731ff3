/// A cloud → device message (PROTOCOL §4), decoded and checked as far as the link needs: the fields
/// the link acts on are typed; request payloads stay JSON for their handlers to validate fully.
public enum InboundFrame: Sendable, Equatable {
    case connectAck(ConnectAck)
    /// Cumulative: the cloud durably holds every device seq up to and including this one (R5).
    case ack(seq: Int64)
    case heartbeatAck(ts: String?)
    case executionRequest(InboundRequest)
    case executionCancel(ExecutionCancel)
    case messagingEvent(InboundRequest)
    case capabilityReload(CapabilityReload)
    case ping
    case error(CloudError)
    /// A `type` this version does not know: logged and ignored (PROTOCOL §1, forward compatibility).
    case unknown(type: String)

    /// The envelope's `type` text.
    public var type: String {
        switch self {
        case .connectAck: InboundFrameType.connectAck.rawValue
        case .ack: InboundFrameType.ack.rawValue
        case .heartbeatAck: InboundFrameType.heartbeatAck.rawValue
        case .executionRequest: InboundFrameType.executionRequest.rawValue
        case .executionCancel: InboundFrameType.executionCancel.rawValue
        case .messagingEvent: InboundFrameType.messagingEvent.rawValue
        case .capabilityReload: InboundFrameType.capabilityReload.rawValue
        case .ping: InboundFrameType.ping.rawValue
        case .error: InboundFrameType.error.rawValue
        case .unknown(let type): type
        }
    }
}

/// The cloud → device types this version understands.
public enum InboundFrameType: String, Sendable, CaseIterable {
    case connectAck = "connect_ack"
    case ack
    case heartbeatAck = "heartbeat_ack"
    case executionRequest = "execution_request"
    case executionCancel = "execution_cancel"
    case messagingEvent = "messaging_event"
    case capabilityReload = "capability_reload"
    case ping
    case error
}
