internal import ConnectorCore

/// PROTOCOL §1 and R15 on the cloud side: bad frames are logged and dropped (a peer that keeps
/// sending them may be closed with 4400), unknown types and fields are ignored, a frame of exactly
/// 1 MiB is within the limit. Whether the connection stayed usable is judged by an outbox message
/// sent after the bad frame being acked, not by a heartbeat, so these checks stay apart from R9.
enum FrameChecks {
    static let all = [invalidJSON, missingType, binary, oversized, atLimit, unknownType, unknownFields]

    static let invalidJSON = dropped(
        "R15.invalid-json", "a text frame that is not JSON",
        "an invalid JSON text frame is dropped: the next message is acked (or the cloud closes with 4400), and a new connection works"
    ) { socket throws(CheckStop) in
        try socket.send(#"{"type": "heartbeat", "payload": {"last_seq": 0,"#, what: "the invalid JSON frame")
    }

    static let missingType = dropped(
        "R15.missing-type", "a JSON frame without a type",
        "a frame without type is dropped: the next message is acked (or the cloud closes with 4400), and a new connection works"
    ) { socket throws(CheckStop) in
        try socket.send(DeviceFrames.text(["id": .string(DeviceFrames.newID()), "ts": .string(DeviceFrames.now()), "payload": [:]]), what: "the frame without a type")
    }

    static let binary = dropped(
        "R15.binary", "a binary frame (holding a heartbeat's JSON)",
        "a binary frame is dropped: the next message is acked (or the cloud closes with 4400), and a new connection works"
    ) { socket throws(CheckStop) in
        try socket.sendBinary(Array(DeviceFrames.heartbeat().utf8), what: "the binary frame")
    }

    static let unknownType = dropped(
        "R15.unknown-type", "a frame of an unknown type", closeAllowed: false, rule: "§1",
        "a frame of an unknown type is ignored (forward compatibility): the connection stays up and the next message is acked"
    ) { socket throws(CheckStop) in
        try socket.send(DeviceFrames.unknownType(), what: "the frame of an unknown type")
    }

    /// Seq 1 is a valid `execution_event` padded one byte past 1 MiB: a cloud that stores it
    /// anyway shows on a counts endpoint, when there is one.
    static let oversized = ConformanceCheck(
        "R15.oversized", rule: "§1, R15",
        "an execution_event of 1 MiB + 1 byte (seq 1) is dropped, not stored: seq 2 is acked (or the cloud closes with 4400), and a new connection works"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let bytes = InboundEnvelope.maxFrameBytes + 1
        let text = try await checkDropped(
            probe, sent: "an execution_event of \(bytes) bytes as seq 1", probeSeq: 2, closeAllowed: true, rule: "§1, R15"
        ) { socket throws(CheckStop) in
            try socket.send(DeviceFrames.event(seq: 1, encodedBytes: bytes).text, what: "the frame over 1 MiB")
        }
        switch await probe.counts() {
        case .notObservable:
            return text + " (whether seq 1 was stored is not observable on the wire)"
        case .counted(let counts):
            guard let held = counts["messages"]?.numberValue?.int64 else { return text }
            if held > 1 {
                throw .fail("sent an execution_event of \(bytes) bytes as seq 1, then seq 2; the cloud counts \(held) messages: it stored the frame over 1 MiB, which must be dropped (§1)")
            }
            return text + "; seq 1 was not stored"
        }
    }

    static let atLimit = ConformanceCheck(
        "R15.at-limit", rule: "§1, R3",
        "an execution_event of exactly 1 MiB (1,048,576 bytes, the largest a device may send) is stored and acked"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        let message = DeviceFrames.event(seq: 1, encodedBytes: InboundEnvelope.maxFrameBytes)
        try probe.send([message], on: session.socket, track: &track)
        try await probe.ack(
            covering: 1, on: session.socket, track: &track,
            because: "seq 1 was an execution_event of exactly \(InboundEnvelope.maxFrameBytes) bytes, which is within the limit: frames over 1 MiB are errors, 1 MiB is not (§1, R3)")
        return "an execution_event of \(InboundEnvelope.maxFrameBytes) bytes stored and acked"
    }

    static let unknownFields = ConformanceCheck(
        "R15.unknown-fields", rule: "§1",
        "an execution_event with fields PROTOCOL does not define, in the envelope and the payload, is stored and acked"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        try session.socket.send(DeviceFrames.eventWithUnknownFields(seq: 1), what: "the event with unknown fields")
        track.recordSent(1)
        try await probe.ack(
            covering: 1, on: session.socket, track: &track, because: "unknown fields are ignored, the message is stored and acked (§1)")
        return "an execution_event with unknown envelope and payload fields stored and acked"
    }

    /// A check that sends one bad frame, then seq `probeSeq`, and judges what followed.
    static func dropped(
        _ id: String, _ sent: String, closeAllowed: Bool = true, rule: String = "§1, R15", _ summary: String,
        send: @escaping @Sendable (ProbeSocket) throws(CheckStop) -> Void
    ) -> ConformanceCheck {
        ConformanceCheck(id, rule: rule, summary) { (probe: CheckProbe) async throws(CheckStop) -> String in
            try await checkDropped(probe, sent: sent, probeSeq: 1, closeAllowed: closeAllowed, rule: rule, send: send)
        }
    }

    static func checkDropped(
        _ probe: CheckProbe, sent: String, probeSeq: Int64, closeAllowed: Bool, rule: String,
        send: @Sendable (ProbeSocket) throws(CheckStop) -> Void
    ) async throws(CheckStop) -> String {
        let session = try await probe.session()
        let socket = session.socket
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        try send(socket)
        // A cloud may close at once after the bad frame; then this send finds the socket closed
        // and the close itself is what gets judged.
        try? probe.send([DeviceFrames.event(seq: probeSeq)], on: socket, track: &track)
        let after = await probe.afterBadFrame(socket, probeSeq: probeSeq, track: &track)
        if let failure = BadFrameReview.judge(sent: sent, probeSeq: probeSeq, closeAllowed: closeAllowed, after: after, waited: probe.waitText) {
            throw .fail(failure)
        }
        await probe.close(socket)
        do throws(CheckStop) {
            _ = try await probe.session(lastSeq: probeSeq)
        } catch {
            throw .fail("after \(sent), a new connection did not work: \(error.outcome.detail) (\(rule): a bad frame must not break the cloud)")
        }
        return BadFrameReview.passText(sent: sent, probeSeq: probeSeq, closeAllowed: closeAllowed, after: after)
    }
}
