internal import ConnectorCore
import WebSocketTransport

/// The waits for what the cloud should answer; each ends the check with what was sent, what was
/// expected and what arrived.
extension CheckProbe {
    /// The `connect_ack` that answers `connect`.
    func connectAck(on socket: ProbeSocket) async throws(CheckStop) -> ConnectAck {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.connectAck(let ack))?:
                return ack
            case .frame(.error(let error))?:
                throw .fail("answered connect with error \(error.code) (\(error.message)) instead of connect_ack (§3.4)")
            case .malformed(let type, let reason)? where type == "connect_ack":
                throw .fail("sent a connect_ack the connector cannot use: \(reason) (§3.4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("the connection ended (\(closure)) instead of a connect_ack (§3.4)")
            case nil:
                throw .fail("no connect_ack within \(waitText) of connect (§3.4)")
            }
        }
    }

    /// Reads acks until one covers `seq`. With `judged`, each ack is held to R5 (`AckTrack`) and
    /// the first that breaks it ends the check; otherwise acks only count toward `seq`. `because`
    /// ends the failure text when no such ack comes: why the cloud owed it.
    func ack(
        covering seq: Int64, on socket: ProbeSocket, track: inout AckTrack, judged: Bool = false,
        because: String = "every message is acked once stored (R5)"
    ) async throws(CheckStop) {
        let deadline = ContinuousClock.now + timeout
        while !track.covers(seq) {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                let violation = track.recordAck(acked)
                if judged, let violation { throw .fail(violation) }
            case .frame(.error(let error))?:
                throw .fail("sent seq \(SeqText.list(track.sent)), got error \(error.code) (\(error.message)) instead of an ack covering seq \(seq): \(because)")
            case .malformed(let type, let reason)? where type == "ack":
                throw .fail("sent an ack the connector cannot use: \(reason) (§4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("sent seq \(SeqText.list(track.sent)), the connection ended (\(closure)) before an ack covering seq \(seq) (\(ackedText(track))): \(because)")
            case nil:
                throw .fail("sent seq \(SeqText.list(track.sent)), no ack covering seq \(seq) within \(waitText) (\(ackedText(track))): \(because)")
            }
        }
    }

    private func ackedText(_ track: AckTrack) -> String {
        track.acks.isEmpty ? "no ack at all" : "highest ack \(track.highestAck)"
    }

    /// The next `ack` frame's seq, whatever it is; `after` says what it answers, for the failure.
    func nextAck(on socket: ProbeSocket, after: String, because: String) async throws(CheckStop) -> Int64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                return acked
            case .frame(.error(let error))?:
                throw .fail("\(after), got error \(error.code) (\(error.message)) instead of an ack: \(because)")
            case .malformed(let type, let reason)? where type == "ack":
                throw .fail("sent an ack the connector cannot use: \(reason) (§4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("\(after), the connection ended (\(closure)) instead of an ack: \(because)")
            case nil:
                throw .fail("\(after), no ack within \(waitText): \(because)")
            }
        }
    }

    /// What the cloud did after a bad frame and the probe message that follows it.
    func afterBadFrame(_ socket: ProbeSocket, probeSeq: Int64, track: inout AckTrack) async -> BadFrameReview.After {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                _ = track.recordAck(acked)
                if track.covers(probeSeq) { return .probeAcked }
            case .closed(let closure)?:
                return .closed(closure)
            case nil:
                return .silent
            case .frame, .malformed:
                continue
            }
        }
    }

    /// What the cloud did after a `connect` it should refuse, up to the close or the timeout.
    func refusal(on socket: ProbeSocket) async -> RefusalReview.Observed {
        var observed = RefusalReview.Observed(waited: waitText)
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.error(let error))?:
                observed.errorCodes.append(error.code)
            case .frame(.connectAck)?:
                observed.acceptedWithConnectAck = true
                return observed
            case .closed(let closure)?:
                observed.closure = closure
                return observed
            case nil:
                return observed
            case .frame, .malformed:
                continue
            }
        }
    }

    /// Waits `period` and returns the acks that arrive meanwhile, so an answer to something earlier
    /// (a second ack for one burst) is not mistaken for the answer to what is sent next.
    func settle(_ socket: ProbeSocket, for period: Duration = .milliseconds(200)) async -> [Int64] {
        var acks: [Int64] = []
        let deadline = ContinuousClock.now + period
        while ContinuousClock.now < deadline {
            guard let arrival = await socket.next(within: deadline - .now) else { break }
            if case .frame(.ack(let seq)) = arrival { acks.append(seq) }
            if case .closed = arrival {
                // Left for the next wait to report.
                await socket.inbox.deliver(arrival)
                break
            }
        }
        return acks
    }
}
