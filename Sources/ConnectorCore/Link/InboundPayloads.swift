/// The per-type payload rules of PROTOCOL §4, cloud → device. Only what the link itself reads is
/// checked here; handlers validate request payloads in full.
enum InboundPayloads {
    static func decode(_ type: InboundFrameType, _ payload: PayloadReader) throws(PayloadError) -> InboundFrame {
        switch type {
        case .connectAck:
            return .connectAck(try connectAck(payload))
        case .ack:
            return .ack(seq: try payload.nonNegativeWholeNumber("seq"))
        case .heartbeatAck:
            return .heartbeatAck(ts: try payload.optionalString("ts"))
        case .executionRequest:
            return .executionRequest(InboundRequest(requestID: try payload.identifier("request_id"), payload: payload.object))
        case .executionCancel:
            return .executionCancel(
                ExecutionCancel(requestID: try payload.identifier("request_id"), reason: try payload.optionalString("reason")))
        case .messagingEvent:
            return .messagingEvent(InboundRequest(requestID: try payload.identifier("request_id"), payload: payload.object))
        case .capabilityReload:
            return .capabilityReload(
                CapabilityReload(pack: try payload.optionalString("pack"), version: try payload.optionalString("version")))
        case .ping:
            return .ping
        case .error:
            return .error(CloudError(code: try payload.nonEmptyString("code"), message: try payload.optionalString("message") ?? ""))
        }
    }

    private static func connectAck(_ payload: PayloadReader) throws(PayloadError) -> ConnectAck {
        let sessionID = try payload.identifier("session_id")
        let ackedSeq = try payload.nonNegativeWholeNumber("acked_seq")
        var ack = ConnectAck(sessionID: sessionID, ackedSeq: ackedSeq, tenantID: try payload.optionalString("tenant_id"))
        if let milliseconds = try positiveWholeNumber(payload, "heartbeat_interval_ms") {
            ack.heartbeatInterval = .milliseconds(milliseconds)
        }
        if let inflight = try positiveWholeNumber(payload, "max_inflight") {
            // Int is 64-bit on every platform this builds for; clamp anyway rather than trap.
            ack.maxInflight = Int(clamping: inflight)
        }
        return ack
    }

    /// Absent or null → nil. Values are not capped here: the consumers clamp them to what they
    /// can honour, so an unusual but valid `connect_ack` never costs the session.
    private static func positiveWholeNumber(_ payload: PayloadReader, _ key: String) throws(PayloadError) -> Int64? {
        guard let value = payload.optional(key) else { return nil }
        guard let whole = value.numberValue?.wholeNumber, whole > 0 else {
            throw payload.failure(key, "must be a positive whole number")
        }
        return whole
    }
}
