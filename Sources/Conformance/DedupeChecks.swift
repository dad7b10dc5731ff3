/// R6: a message the cloud already holds, by `(device_id, seq)` or by `id`, is acked again and
/// never counted again. The wire shows the acks; the counting needs a counts endpoint.
enum DedupeChecks {
    static let all = [resend, sameID, countedOnce]

    static let resend = ConformanceCheck(
        "R6.resend", rule: "R6",
        "seq 2 sent again after ack 3, same id and bytes (a resend after a lost ack): acked again"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        let socket = session.socket
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        let messages = (1...3).map { DeliveryChecks.mixed($0, probe) }
        try probe.send(messages, on: socket, track: &track)
        try await probe.ack(covering: 3, on: socket, track: &track)
        _ = await probe.settle(socket)
        try socket.send(messages[1].text, what: "the resend of seq 2")
        let sent = "resent seq 2 (same id and bytes) after ack \(track.highestAck)"
        let ack = try await probe.nextAck(on: socket, after: sent, because: "a duplicate is acked again (R6)")
        guard ack >= 2 else {
            throw .fail("\(sent), got ack \(ack), which does not cover seq 2: a duplicate is acked again, and acks never go backwards (R5, R6)")
        }
        return "\(sent): acked again (ack \(ack))"
    }

    /// A device moves a message to a new seq when a cloud holds seqs of an earlier store (R7); the
    /// id is the idempotency key. Re-acking only the highest seq stored is allowed (the device keeps
    /// the moved seq until a later ack covers it), so the next new message must still be acked.
    static let sameID = ConformanceCheck(
        "R6.same-id", rule: "R6",
        "seq 3 carrying the id (and payload) of seq 1 is a duplicate: acked, and seq 4 after it is acked too"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        let socket = session.socket
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        let first = DeviceFrames.event(seq: 1)
        try probe.send([first, DeviceFrames.usage(seq: 2, deviceID: probe.deviceID, tenantID: probe.tenantID)], on: socket, track: &track)
        try await probe.ack(covering: 2, on: socket, track: &track)
        _ = await probe.settle(socket)
        try probe.send([first.moved(to: 3)], on: socket, track: &track)
        let sent = "sent seq 3 carrying the id of seq 1 after ack \(track.highestAck)"
        let ack = try await probe.nextAck(on: socket, after: sent, because: "a message whose id the cloud holds is a duplicate, acked again (R6)")
        guard ack >= 2 else {
            throw .fail("\(sent), got ack \(ack): acks never go backwards (R5, R6)")
        }
        _ = track.recordAck(ack)
        try probe.send([DeviceFrames.event(seq: 4)], on: socket, track: &track)
        try await probe.ack(
            covering: 4, on: socket, track: &track,
            because: "after a duplicate by id, the next new message is stored and acked (R4, R6)")
        let how = ack >= 3 ? "acked up to 3" : "re-acked 2 (seq 3 stays pending at the device until a later ack)"
        return "\(sent): \(how); then seq 4 acked"
    }

    static let countedOnce = ConformanceCheck(
        "R6.counted-once", rule: "R6",
        "seq 1..4 (2 usage reports), then seq 2 and 4 resent and seq 5 carrying the id of seq 2, then seq 6: the cloud counts 5 messages and 2 reports (needs a counts endpoint like the reference cloud's; else skipped)"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let session = try await probe.session()
        let socket = session.socket
        var track = AckTrack(ackedAtConnect: session.connectAck.ackedSeq)
        let messages = (1...4).map { DeliveryChecks.mixed($0, probe) }
        try probe.send(messages, on: socket, track: &track)
        try await probe.ack(covering: 4, on: socket, track: &track)
        _ = await probe.settle(socket)
        try socket.send(messages[1].text, what: "the resend of seq 2")
        try socket.send(messages[3].text, what: "the resend of seq 4")
        try probe.send([messages[1].moved(to: 5), DeviceFrames.event(seq: 6)], on: socket, track: &track)
        // The cloud handles one socket's frames in order: the ack of seq 6 comes after the duplicates.
        try await probe.ack(covering: 6, on: socket, track: &track)
        let expected = CountsReview.Expected(
            messages: 5, usage: DeviceFrames.usageNumbers(seq: 2) + DeviceFrames.usageNumbers(seq: 4),
            duplicates: "seq 2 and 4 resent and seq 5 carrying the id of seq 2")
        switch await probe.counts() {
        case .notObservable(let why):
            throw .skip("\(why): whether duplicates are counted once is not observable on the wire (the acks were fine)")
        case .counted(let counts):
            return try CountsReview.judge(expected, counts: counts).passOrThrow()
        }
    }
}
