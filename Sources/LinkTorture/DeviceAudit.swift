import ConnectorCore
import Logging
import OutboxStore

/// The device's side of the checks, read from its store with the store's own reader (as `status`
/// does beside a running service). Holds what earlier cycles established: the seqs handed out so
/// far, and what each execution request has produced, scanned incrementally so a cycle costs what
/// it added, not the whole log.
struct DeviceAudit {
    let directory: String

    /// The execution events of one request, as the device holds them.
    struct Execution {
        var accepted: [Int64] = []
        var terminals: [(seq: Int64, type: ExecutionEventType)] = []
    }

    private(set) var scannedThrough: Int64 = 0
    private(set) var held = 0
    private(set) var executions: [String: Execution] = [:]
    /// "type:key" → seq: a report_id or event_id the device holds twice is counted twice.
    private var keys: [String: Int64] = [:]
    /// seq → the append that returned it first.
    private var owners: [Int64: ReturnedAppend] = [:]
    /// Keys whose first append returned (not as a duplicate): a later "new" answer is a second copy.
    private var firstReturn: [String: ReturnedAppend] = [:]
    private var highestBefore: Int64 = 0
    /// Requests running when the connector was SIGKILLed, by cycle: each must end failed/interrupted.
    private(set) var interrupted: [String: Int] = [:]

    init(directory: String) { self.directory = directory }

    func withReader<T>(_ body: (OutboxReader) throws -> T) throws -> T {
        var logger = Logger(label: "link-torture.store")
        logger.logLevel = .critical
        let store = try OutboxStore.open(
            directory: directory, identity: StoreIdentity(deviceID: Device.id, tenantID: Device.tenant), logger: logger)
        defer { store.close() }
        return try body(try store.makeReader())
    }

    func backlog() throws -> Backlog { try withReader { try $0.backlog() } }
    func linkStatus() throws -> LinkStatusRecord? { try withReader { try $0.linkStatus() } }

    /// Every append that returned in `cycle` is in the store at its seq with its id and key (R1); no
    /// seq was handed out twice; seqs grow across restarts and, per sequential producer, in the
    /// order the appends returned; a retry was recognised, not stored again.
    mutating func checkReturned(_ appends: [ReturnedAppend], cycle: Int) throws -> [Violation] {
        var violations: [Violation] = []
        try withReader { reader in
            for append in appends {
                guard let stored = try reader.message(seq: append.seq) else {
                    violations.append(Violation(kind: .deviceLoss, message: "cycle \(cycle): \(append.label) returned, but the device store has no seq \(append.seq)"))
                    continue
                }
                if stored.id.description != append.id || stored.naturalKey != append.key {
                    violations.append(Violation(kind: .deviceLoss, message: """
                        cycle \(cycle): \(append.label) returned, but seq \(append.seq) in the device store holds \
                        \(stored.naturalKey ?? "a message") with id \(stored.id): the returned append is lost and its seq was reused
                        """))
                }
            }
        }
        for append in appends {
            if let owner = owners[append.seq], owner.key != append.key {
                violations.append(Violation(kind: .seqReuse, message: """
                    seq \(append.seq) was handed out twice: to \(owner.key) in cycle \(owner.cycle) and to \(append.key) in cycle \(cycle)
                    """))
            } else if owners[append.seq] == nil {
                owners[append.seq] = append
            }
            if append.duplicate {
                // The first answer may have been lost (a kill between commit and answer): then this
                // duplicate is the first word on where the report is held.
                guard let first = firstReturn[append.key] else {
                    firstReturn[append.key] = append
                    continue
                }
                if first.seq != append.seq {
                    violations.append(Violation(kind: .doubleCount, message: """
                        cycle \(cycle): a retry of \(append.key) was answered as a duplicate at seq \(append.seq), \
                        but it was first stored as seq \(first.seq) in cycle \(first.cycle)
                        """))
                }
            } else if let first = firstReturn[append.key] {
                violations.append(Violation(kind: .doubleCount, message: """
                    cycle \(cycle): \(append.key) was stored twice: seq \(first.seq) (cycle \(first.cycle)) and again as seq \
                    \(append.seq) when retried; a retry must be recognised by its report_id/event_id (R2)
                    """))
            } else {
                firstReturn[append.key] = append
            }
        }
        let fresh = appends.filter { !$0.duplicate }
        if let lowest = fresh.min(by: { $0.seq < $1.seq }), lowest.seq <= highestBefore {
            violations.append(Violation(kind: .seqReuse, message: """
                cycle \(cycle): \(lowest.label) returned seq \(lowest.seq), not above seq \(highestBefore) returned in an earlier cycle: seqs went backwards
                """))
        }
        for producer in Set(fresh.map(\.producer)) {
            let seqs = fresh.filter { $0.producer == producer }
            for (earlier, later) in zip(seqs, seqs.dropFirst()) where later.seq <= earlier.seq {
                violations.append(Violation(kind: .seqReuse, message: """
                    cycle \(cycle): \(producer) appended \(earlier.key) (seq \(earlier.seq)) and then \(later.key) (seq \
                    \(later.seq)): seqs must grow in append order
                    """))
            }
        }
        highestBefore = max(highestBefore, fresh.map(\.seq).max() ?? 0)
        return violations
    }

    /// Reads what was appended since the last scan: every report_id/event_id held once, and each
    /// request's accepted and terminal events.
    mutating func scan() throws -> [Violation] {
        var violations: [Violation] = []
        var filter = InspectFilter()
        filter.limit = 1000
        try withReader { reader in
            while true {
                let page = try reader.inspect(filter, after: scannedThrough)
                guard let last = page.last else { break }
                for message in page {
                    held += 1
                    if let key = message.naturalKey {
                        let slot = "\(message.type.rawValue):\(key)"
                        if let first = keys[slot] {
                            violations.append(Violation(kind: .doubleCount, message: """
                                the device holds \(message.type.rawValue) \(key) twice: seqs \(first) and \(message.seq)
                                """))
                        } else {
                            keys[slot] = message.seq
                        }
                    }
                    guard message.type == .executionEvent, let type = message.eventType else { continue }
                    if type == .accepted { executions[message.requestID, default: Execution()].accepted.append(message.seq) }
                    if type.isTerminal {
                        executions[message.requestID, default: Execution()].terminals.append((message.seq, type))
                    }
                }
                scannedThrough = last.seq
            }
        }
        return violations
    }

    /// Accepted requests with no terminal event yet.
    var running: [String] {
        executions.filter { !$0.value.accepted.isEmpty && $0.value.terminals.isEmpty }.map(\.key).sorted()
    }

    /// Right after a SIGKILL of the connector: what was running then must end failed/interrupted.
    mutating func noteConnectorKill(cycle: Int) throws {
        _ = try scan()
        for request in running { interrupted[request] = cycle }
    }

    /// R13 once the backlog drained: each accepted request has one accepted event and exactly one
    /// terminal event; one running at a connector SIGKILL ended failed with code interrupted.
    func checkExecutions(cycle: Int) throws -> [Violation] {
        var violations: [Violation] = []
        for (request, execution) in executions.sorted(by: { $0.key < $1.key }) where !execution.accepted.isEmpty {
            if execution.accepted.count > 1 {
                violations.append(Violation(kind: .r13, message: "request \(request) was accepted twice (seqs \(execution.accepted))"))
            }
            switch execution.terminals.count {
            case 0:
                violations.append(Violation(kind: .r13, message: """
                    cycle \(cycle): request \(request) was accepted (seq \(execution.accepted[0])) but has not ended after the drain
                    """))
            case 1: break
            default:
                let list = execution.terminals.map { "\($0.type.rawValue) at seq \($0.seq)" }.joined(separator: ", ")
                violations.append(Violation(kind: .r13, message: "request \(request) ended \(execution.terminals.count) times: \(list)"))
            }
        }
        try withReader { reader in
            for (request, killedIn) in interrupted.sorted(by: { $0.key < $1.key }) {
                guard let terminal = executions[request]?.terminals.first else { continue }
                let payload = try reader.message(seq: terminal.seq).flatMap { try? JSON.parse($0.payload) }
                let code = payload?["data"]?["error"]?["code"]?.stringValue
                if terminal.type != .failed || code != "interrupted" {
                    violations.append(Violation(kind: .r13, message: """
                        request \(request) was running when the connector was SIGKILLed in cycle \(killedIn), but it ended \
                        \(terminal.type.rawValue)\(code.map { " (\($0))" } ?? "") at seq \(terminal.seq), not failed/interrupted
                        """))
                }
            }
        }
        return violations
    }

    /// Neither side lost what it had: no R7 seq jump (the device's store was replaced) and no ack
    /// rewind (the cloud acked messages it then did not hold).
    func checkNoJumpOrRewind(cycle: Int) throws -> [Violation] {
        try withReader { reader in
            var violations: [Violation] = []
            if let jump = try reader.lastSequenceJump() {
                violations.append(Violation(kind: .deviceLoss, message: """
                    cycle \(cycle): the device moved its seqs from \(jump.fromSeq) to \(jump.toSeq) (R7): the cloud held seqs this store never assigned
                    """))
            }
            if let rewind = try reader.lastAckRewind() {
                violations.append(Violation(kind: .cloudLoss, message: """
                    cycle \(cycle): the cloud's acked_seq went back from \(rewind.fromSeq) to \(rewind.toSeq): it acked messages it did not keep (R5)
                    """))
            }
            return violations
        }
    }

    /// Every held message, for the final comparison with the cloud.
    func allMessages() throws -> [StoredMessage] {
        var filter = InspectFilter()
        filter.limit = 1000
        return try withReader { reader in
            var all: [StoredMessage] = []
            var after: Int64 = 0
            while true {
                let page = try reader.inspect(filter, after: after)
                guard let last = page.last else { return all }
                all += page
                after = last.seq
            }
        }
    }
}
