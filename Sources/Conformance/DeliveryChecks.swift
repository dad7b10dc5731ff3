/// R5 (store, then ack: cumulative, never backwards, never above what was received; durable) and
/// R4 (gaps: never wait for a missing seq).
enum DeliveryChecks {
    static let all = [cumulative, durable, gaps]

    /// Two bursts, so a cloud that acks a seq it never received is caught at the first ack, before
    /// the second burst could make that seq real.
    static let cumulative = ConformanceCheck(
        "R5.cumulative", rule: "R5",
        "seq 1..3 then 4..6 (events and usage reports): every ack is cumulative, never goes backwards, never names a seq not sent, and reaches 6"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        let socket = session.socket
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        let messages = (1...6).map { seq in mixed(seq, probe) }
        try probe.send(Array(messages[0..<3]), on: socket, track: &track)
        try await probe.ack(covering: 3, on: socket, track: &track, judged: true)
        try probe.send(Array(messages[3..<6]), on: socket, track: &track)
        try await probe.ack(covering: 6, on: socket, track: &track, judged: true)
        for late in await probe.settle(socket) {
            if let violation = track.recordAck(late) { throw .fail(violation) }
        }
        return "sent seq 1..6 in two bursts; \(track.acks.count) acks, cumulative and in order, the last \(track.highestAck)"
    }

    static let durable = ConformanceCheck(
        "R5.durable", rule: "R5",
        "after seq 1..3 are acked and the device reconnects, connect_ack says acked_seq 3: what was acked was stored"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let first = try await probe.session()
        var track = AckTrack(ackedAtConnect: first.connectAck.ackedSeq)
        try probe.send((1...3).map { mixed($0, probe) }, on: first.socket, track: &track)
        try await probe.ack(covering: 3, on: first.socket, track: &track)
        await probe.close(first.socket)
        let again = try await probe.session(lastSeq: 3).connectAck
        if again.ackedSeq < 3 {
            throw .fail("seq 1..3 were acked (ack \(track.highestAck)); after a reconnect connect_ack said acked_seq \(again.ackedSeq): the cloud lost what it acked (R5: store durably, then ack)")
        }
        if again.ackedSeq > 3 {
            throw .fail("sent seq 1..3 only; after a reconnect connect_ack said acked_seq \(again.ackedSeq), a seq the device never sent (R5, §3.4)")
        }
        return "seq 1..3 acked; after reconnecting, connect_ack acked_seq 3"
    }

    static let gaps = ConformanceCheck(
        "R4.gaps", rule: "R4",
        "seq 1, 2, 5 (3 and 4 never come): the ack reaches 5 without waiting for them"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        try probe.send([1, 2, 5].map { mixed($0, probe) }, on: session.socket, track: &track)
        try await probe.ack(
            covering: 5, on: session.socket, track: &track,
            because: "seqs may have gaps and a cloud must never wait for the missing 3 and 4 (R4)")
        return "sent seq 1, 2, 5; ack reached \(track.highestAck) without 3 and 4"
    }

    /// Odd seqs are progress events, even ones usage reports: both outbox types a cloud must store.
    static func mixed(_ seq: Int64, _ probe: CheckProbe) -> DeviceFrames.Outbox {
        seq % 2 == 1 ? DeviceFrames.event(seq: seq) : DeviceFrames.usage(seq: seq, deviceID: probe.deviceID, tenantID: probe.tenantID)
    }
}
