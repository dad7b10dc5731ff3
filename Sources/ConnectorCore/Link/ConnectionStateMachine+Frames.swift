/// Inbound frames: the handshake's answer, then routing while live.
extension ConnectionStateMachine {
    mutating func received(_ frame: InboundFrame, _ now: MonotonicInstant) -> [ConnectionAction] {
        switch state {
        case .awaitingConnectAck:
            invalidFrameStreak = 0
            return receivedDuringHandshake(frame, now)
        case .live:
            invalidFrameStreak = 0
            heartbeat.frameReceived(at: now)
            return receivedWhileLive(frame)
        case .idle, .fetchingToken, .connecting, .closing, .backingOff, .stopped:
            return []
        }
    }

    mutating func receivedInvalid(_ error: FrameDecodeError, _ now: MonotonicInstant) -> [ConnectionAction] {
        switch state {
        case .awaitingConnectAck, .live:
            heartbeat.frameReceived(at: now)
            invalidFrameStreak += 1
            guard invalidFrameStreak >= configuration.maxConsecutiveInvalidFrames else { return [] }
            return close(
                .tooManyInvalidFrames, code: .protocolError,
                error: "\(invalidFrameStreak) malformed frames in a row from the cloud (last: \(error))")
        case .idle, .fetchingToken, .connecting, .closing, .backingOff, .stopped:
            return []
        }
    }

    private mutating func receivedDuringHandshake(_ frame: InboundFrame, _ now: MonotonicInstant) -> [ConnectionAction] {
        switch frame {
        case .connectAck(let ack):
            return accept(ack, now)
        case .error(let error):
            return cloudError(error)
        case .ping:
            return [.send(.pong)]
        case .heartbeatAck:
            return []
        case .unknown(let type):
            return [.ignoreFrame(type: type, reason: "unknown type")]
        case .ack, .executionRequest, .executionCancel, .messagingEvent, .capabilityReload:
            return [.ignoreFrame(type: frame.type, reason: "arrived before connect_ack")]
        }
    }

    private mutating func receivedWhileLive(_ frame: InboundFrame) -> [ConnectionAction] {
        switch frame {
        case .ack, .executionRequest, .executionCancel, .messagingEvent, .capabilityReload:
            return [.deliver(frame)]
        case .ping:
            return [.send(.pong)]
        case .heartbeatAck:
            return []
        case .error(let error):
            return cloudError(error)
        case .connectAck:
            return [.ignoreFrame(type: frame.type, reason: "a second connect_ack on one socket")]
        case .unknown(let type):
            return [.ignoreFrame(type: type, reason: "unknown type")]
        }
    }

    private mutating func accept(_ ack: ConnectAck, _ now: MonotonicInstant) -> [ConnectionAction] {
        if let tenant = ack.tenantID, tenant != configuration.tenantID {
            return close(
                .tenantMismatchAck, code: .forbidden,
                error: "the cloud's connect_ack is for tenant \"\(clean(tenant))\", this device belongs to "
                    + "\"\(configuration.tenantID)\"; refused with 4403")
        }
        state = .live(since: now, sessionID: ack.sessionID)
        liveSince = now
        status.sessions += 1
        refusalBackoff.reset()
        heartbeat.connected(at: now, interval: ack.heartbeatInterval)
        let start = ReplayStart(
            sessionID: ack.sessionID, ackedSeq: ack.ackedSeq, maxInflight: ack.maxInflight,
            heartbeatInterval: heartbeat.interval)
        return [.startReplay(start)]
    }

    /// The refusal codes end the session (the cloud closes too; closing first means a cloud that
    /// forgets to close cannot hold the device in limbo). Other codes are reported and the link stays.
    private mutating func cloudError(_ error: CloudError) -> [ConnectionAction] {
        let detail = clean(error.code) + (error.message.isEmpty ? "" : ": " + clean(error.message))
        guard let refusal = error.refusal else {
            status.lastError = "the cloud reported an error (\(detail))"
            return []
        }
        let text: String
        switch refusal {
        case .unauthorized:
            // Dropped now rather than at close, so a refresh already on its way is not thrown away.
            forgetToken()
            text = "the cloud refused the device token (\(detail)); a new token is fetched before the next attempt"
        case .tenantMismatch:
            text = "the cloud refused tenant \"\(configuration.tenantID)\" for this device (\(detail))"
        case .protocolUnsupported:
            text = "the cloud does not support protocol \(ConnectPayload.protocolVersion) (\(detail))"
        }
        return close(.refusal(refusal), code: refusal.closeCode, error: text)
    }
}
