import ConnectorCore
import Testing

struct TestMessage: ReplayMessage, Equatable, CustomStringConvertible {
    let seq: Int64
    var description: String { "#\(seq)" }
}

/// The outbox as the window sees it: held seqs (with gaps), the durable ack and the seq allocator,
/// answering pages like `OutboxReader.pendingPage(after:limit:)`.
struct FakeOutbox {
    var held: [Int64]
    var ackedSeq: Int64 = 0
    var lastSeq: Int64

    init(held: [Int64]) {
        self.held = held
        lastSeq = held.last ?? 0
    }

    func page(after: Int64, limit: Int) -> [TestMessage] {
        let from = max(after, ackedSeq)
        var page: [TestMessage] = []
        // Binary search for the first held seq above `from`, as an index would.
        var low = 0
        var high = held.count
        while low < high {
            let middle = (low + high) / 2
            if held[middle] <= from { low = middle + 1 } else { high = middle }
        }
        var index = low
        while index < held.count && page.count < limit {
            page.append(TestMessage(seq: held[index]))
            index += 1
        }
        return page
    }

    /// Appends `count` messages after the current last seq.
    mutating func append(_ count: Int) {
        for _ in 0..<count {
            lastSeq += 1
            held.append(lastSeq)
        }
    }
}

/// Performs a window's actions against a `FakeOutbox`, answering page requests at once, and
/// records what was sent.
struct ReplayDriver {
    var window: ReplayWindow<TestMessage>
    var outbox: FakeOutbox
    var sent: [Int64] = []
    var recorded: [ReplayAction<TestMessage>] = []

    init(held: [Int64], configuration: ReplayWindow<TestMessage>.Configuration = .init()) {
        window = ReplayWindow(configuration: configuration)
        outbox = FakeOutbox(held: held)
    }

    mutating func start(ackedSeq: Int64, maxInflight: Int) {
        perform(window.start(
            ackedSeq: ackedSeq, lastAssignedSeq: outbox.lastSeq, storeAckedSeq: outbox.ackedSeq, maxInflight: maxInflight))
    }

    mutating func perform(_ actions: [ReplayAction<TestMessage>]) {
        for action in actions {
            recorded.append(action)
            switch action {
            case .advanceSequence(let past, _): outbox.lastSeq = max(outbox.lastSeq, past)
            case .rewindAcked(_, let to): outbox.ackedSeq = to
            case .markAcked(let through): outbox.ackedSeq = max(outbox.ackedSeq, through)
            case .fetchPage(let request):
                perform(window.pageLoaded(outbox.page(after: request.after, limit: request.limit), for: request))
            case .send(let messages): sent += messages.map(\.seq)
            case .reportAnomaly: break
            }
        }
    }

    /// Sends batches until the window is full or the backlog is empty.
    mutating func pump() {
        while window.hasSendable { perform(window.nextBatch()) }
    }

    mutating func ack(_ seq: Int64) {
        perform(window.ack(seq))
    }
}
