import ConnectorCore
import Testing

/// A seeded, event-by-event model of replay against a cloud: page reads answered late, a wire that
/// delivers in order, a cloud that stores what arrives and acks the highest seq it holds in random
/// chunks, appends landing mid-replay, and links cut at random moments (what was on the wire is lost).
struct ReplaySimulation {
    var window: ReplayWindow<TestMessage>
    var outbox: FakeOutbox
    var generator: SeededGenerator
    let maxInflight: Int

    /// Page requests the "store" has not answered yet.
    var pendingReads: [PageRequest] = []
    /// Sent by the device, not yet received by the cloud.
    var wire: [Int64] = []
    /// Everything the cloud stored, and how often each seq arrived.
    var cloudReceived: [Int64: Int] = [:]
    var cloudHighest: Int64 = 0
    var lastCloudAck: Int64 = 0
    /// What each connection sent, in order.
    var connections: [[Int64]] = []
    /// The held seqs above the ack each connection started from.
    var expectedPerConnection: [[Int64]] = []
    var peakBuffered = 0

    init(held: [Int64], maxInflight: Int, configuration: ReplayWindow<TestMessage>.Configuration, seed: UInt64) {
        window = ReplayWindow(configuration: configuration)
        outbox = FakeOutbox(held: held)
        generator = SeededGenerator(seed: seed)
        self.maxInflight = maxInflight
    }

    mutating func connect() {
        let ackedSeq = cloudHighest
        connections.append([])
        expectedPerConnection.append([])
        perform(window.start(
            ackedSeq: ackedSeq, lastAssignedSeq: outbox.lastSeq, storeAckedSeq: outbox.ackedSeq, maxInflight: maxInflight))
    }

    mutating func cut() {
        window.stop()
        wire.removeAll()
        // Reads already under way still answer later; the window must ignore them.
    }

    /// The cloud restarts and loses what it had received but not yet stored durably: everything
    /// above some point at or above the last ack it sent (acks only follow durable storage, R5).
    mutating func cloudLosesItsUndurableTail() {
        let durable = Int64.random(in: lastCloudAck...max(lastCloudAck, cloudHighest), using: &generator)
        cloudReceived = cloudReceived.filter { $0.key <= durable }
        cloudHighest = durable
    }

    /// Sent on more than one connection.
    var deviceResends: Int {
        connections.reduce(0) { $0 + $1.count } - Set(connections.joined()).count
    }

    /// One random event. Returns false once nothing is left to do on this connection.
    mutating func step(appendsLeft: inout Int) -> Bool {
        let canRead = !pendingReads.isEmpty
        let canSend = window.hasSendable
        let canReceive = !wire.isEmpty
        let canAck = cloudHighest > window.ackedSeq
        guard canRead || canSend || canReceive || canAck || appendsLeft > 0 else { return false }
        switch Int.random(in: 0..<5, using: &generator) {
        case 0 where canRead:
            let request = pendingReads.removeFirst()
            perform(window.pageLoaded(outbox.page(after: request.after, limit: request.limit), for: request))
        case 1 where canSend:
            perform(window.nextBatch())
        case 2 where canReceive:
            for _ in 0..<min(wire.count, Int.random(in: 1...50, using: &generator)) {
                let seq = wire.removeFirst()
                cloudReceived[seq, default: 0] += 1
                cloudHighest = max(cloudHighest, seq)
            }
        case 3 where canAck:
            // Now and then a repeated or lower ack, which must change nothing.
            if Int.random(in: 0..<5, using: &generator) == 0 && window.ackedSeq > 0 {
                let before = (window.ackedSeq, window.inflightCount)
                let stale = window.ack(Int64.random(in: 0...window.ackedSeq, using: &generator))
                if !stale.isEmpty || before != (window.ackedSeq, window.inflightCount) {
                    Issue.record("a lower or repeated ack changed the window")
                }
            }
            lastCloudAck = cloudHighest
            perform(window.ack(cloudHighest))
        case 4 where appendsLeft > 0:
            let count = min(appendsLeft, Int.random(in: 1...20, using: &generator))
            outbox.append(count)
            appendsLeft -= count
            perform(window.appended(lastSeq: outbox.lastSeq))
        default:
            break
        }
        check()
        return true
    }

    mutating func perform(_ actions: [ReplayAction<TestMessage>]) {
        for action in actions {
            switch action {
            case .advanceSequence(let past, _): outbox.lastSeq = max(outbox.lastSeq, past)
            case .rewindAcked(_, let to): outbox.ackedSeq = to
            case .markAcked(let through): outbox.ackedSeq = max(outbox.ackedSeq, through)
            case .fetchPage(let request): pendingReads.append(request)
            case .send(let messages):
                let seqs = messages.map(\.seq)
                connections[connections.count - 1] += seqs
                wire += seqs
            case .reportAnomaly(let anomaly): Issue.record("anomaly: \(anomaly)")
            }
        }
    }

    /// R8 and the memory bound, checked independently of the window's own counters.
    mutating func check() {
        let sent = connections[connections.count - 1]
        let unacked = sent.count - countAtOrBelow(window.ackedSeq, in: sent)
        if unacked > maxInflight || window.inflightCount > maxInflight {
            Issue.record("\(unacked) unacked with max_inflight \(maxInflight)")
        }
        peakBuffered = max(peakBuffered, window.bufferedCount)
    }

    private func countAtOrBelow(_ seq: Int64, in sorted: [Int64]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= seq { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Every held seq above `ackedSeq`, as the connection that started there must send them.
    func held(above ackedSeq: Int64) -> [Int64] {
        outbox.held.filter { $0 > ackedSeq }
    }
}

/// 1...count with roughly `gapPercent` of the seqs missing (dropped progress events, R4).
func heldWithGaps(count: Int, gapPercent: Int, seed: UInt64) -> [Int64] {
    var generator = SeededGenerator(seed: seed)
    return (1...Int64(count)).filter { _ in Int.random(in: 0..<100, using: &generator) >= gapPercent }
}
