/// Where an append came from.
enum AppendSource: String, Sendable {
    case localAPI = "local API"
    case outboxAppend = "outbox append"
}

/// An append whose caller got an answer: the promise the checks hold the stores to.
struct ReturnedAppend: Sendable {
    let seq: Int64
    let id: String
    /// `report_id` or `event_id`: how a person finds it, and how a retry is recognised.
    let key: String
    let source: AppendSource
    /// One worker appends in sequence, so its seqs must grow in the order they returned.
    let producer: String
    let cycle: Int
    /// The answer said "already stored" (a retry): its seq is the first append's, not a new one.
    let duplicate: Bool

    var label: String { "\(source.rawValue) append \(key) (seq \(seq), id \(id))" }
}

/// Everything the load did, across cycles. An actor: the load's workers record concurrently.
actor Ledger {
    private(set) var returned: [ReturnedAppend] = []
    /// execution_request ids the cloud accepted to send, by the cycle they were sent in.
    private(set) var sentRequests: [String: Int] = [:]
    /// Usage reports whose POST got no answer (the connector was killed or the link was torn):
    /// Local-Core would send them again, and so does the next cycle.
    private var unanswered: [UsageReport] = []
    private(set) var tallies = Tallies()
    /// Answers the load did not expect (a 400 from the local API means the driver is wrong, not the
    /// connector): reported as process violations so they cannot hide.
    private(set) var problems: [String] = []

    struct Tallies: Sendable {
        var usagePosts = 0
        var usageUnanswered = 0
        var usageRetries = 0
        var appendChildren = 0
        var appendChildFailures = 0
        var requestsSent = 0
        var requestsNotConnected = 0
        var requestsCloudDown = 0
    }

    func record(_ append: ReturnedAppend) { returned.append(append) }
    func returned(inCycle cycle: Int) -> [ReturnedAppend] { returned.filter { $0.cycle == cycle } }

    func sent(_ requestID: String, cycle: Int) {
        sentRequests[requestID] = cycle
        tallies.requestsSent += 1
    }

    func count(_ update: @Sendable (inout Tallies) -> Void) { update(&tallies) }

    func unanswered(_ report: UsageReport) {
        unanswered.append(report)
        tallies.usageUnanswered += 1
    }

    func problem(_ text: String) {
        if problems.count < 50 { problems.append(text) }
    }

    func takeProblems() -> [String] {
        defer { problems.removeAll() }
        return problems
    }

    func takeUnanswered() -> UsageReport? { unanswered.isEmpty ? nil : unanswered.removeFirst() }
}
