/// R5 judged from the wire: what the kit sent on a connection and the acks that came back.
/// `ack.seq` is cumulative, never goes backwards, and is the highest seq the cloud holds, so it can
/// never name a seq that was not sent. A repeated ack is allowed (the device ignores it).
struct AckTrack: Sendable, Equatable {
    private(set) var sent: [Int64] = []
    private(set) var acks: [Int64] = []
    /// Acks start above what the cloud said it held at `connect_ack`.
    private(set) var floor: Int64

    init(ackedAtConnect: Int64 = 0) {
        floor = ackedAtConnect
    }

    var highestSent: Int64 { sent.max() ?? 0 }
    var highestAck: Int64 { max(floor, acks.max() ?? 0) }

    mutating func recordSent(_ seq: Int64) {
        sent.append(seq)
    }

    /// Whether every seq up to `seq` is acked.
    func covers(_ seq: Int64) -> Bool { highestAck >= seq }

    /// Records an ack; returns why it breaks R5, or nil when it is fine.
    mutating func recordAck(_ seq: Int64) -> String? {
        let previous = acks.last ?? floor
        acks.append(seq)
        if seq > highestSent && seq > floor {
            return "sent seq \(SeqText.list(sent)), got ack seq \(seq): the cloud acked a seq it never received (R5)"
        }
        if seq < previous {
            return "got ack seq \(seq) after ack seq \(previous) (sent seq \(SeqText.list(sent))): acks must never go backwards (R5)"
        }
        if seq > floor && !sent.contains(seq) {
            return "sent seq \(SeqText.list(sent)), got ack seq \(seq), a seq that was never sent: an ack must name the highest seq the cloud holds (R5)"
        }
        return nil
    }
}
