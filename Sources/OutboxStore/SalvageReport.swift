/// What `outbox salvage` read from a file and did with it.
public struct SalvageReport: Sendable {
    public let source: String
    public let sourceIdentity: StoreIdentity
    public let sourceLastSeq: Int64?
    public let sourceAckedSeq: Int64?
    /// Messages read and decoded from the file.
    public var read: Int64 = 0
    /// Appended to this store as new messages (their ids, times and payloads kept, new seqs).
    public var salvaged: Int64 = 0
    /// Of those, the ones the file's cloud had acked: re-sent, and recognised by id (R6).
    public var salvagedAcked: Int64 = 0
    /// Already in this store (the same id, or the same event_id/report_id with the same content).
    public var alreadyPresent: Int64 = 0
    /// Left out by --unacked-only.
    public var skippedAcked: Int64 = 0
    /// The seqs the salvaged messages got in this store.
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// Seq ranges SQLite could not read.
    public var unreadable: [SeqRange] = []
    /// Rows read but not valid messages (a payload that does not decode or validate).
    public var undecodable: [RowProblem] = []
    /// Messages whose id or event_id/report_id this store holds with other content.
    public var conflicts: [RowProblem] = []
    /// Problems past this many are counted, not listed.
    public static let listLimit = 1_000
    public var unlistedProblems: Int64 = 0
    /// Inbox rows (requests the file's device had accepted or answered, R11) read from the file, and
    /// how many of them this store did not know yet and took over.
    public var inboxRead: Int64 = 0
    public var inboxCopied: Int64 = 0
    /// Of those copied, requests accepted and never ended: the service's next start ends them
    /// `failed` `interrupted` (R13), as after a crash.
    public var inboxOpenCopied: Int64 = 0
    /// Open rows of another device's file, not copied: its requests are not this device's to end.
    public var inboxOpenLeftOut: Int64 = 0
    /// False when the file's inbox could not be read to the end.
    public var inboxComplete = true
    /// Set when this store refused an append (salvage's ceiling under the size bound, a full disk):
    /// salvage stopped there. Running it again goes on, since what was salvaged is recognised.
    public var stoppedBy: OutboxError?
    /// This store's size bound, and the most salvage fills it to: the rest is the service's.
    public var boundBytes: Int64 = 0
    public var ceilingBytes: Int64 = 0

    /// Seqs in the unreadable ranges (an upper bound on the messages lost: some may be gaps); nil when
    /// a range runs to an unknown end.
    public var unreadableSeqs: Int64? {
        var total: Int64 = 0
        for range in unreadable {
            guard let to = range.to else { return nil }
            total += to - range.from + 1
        }
        return total
    }

    /// Every message of the file, and every inbox row this store should take (all of them, or another
    /// device's answered ones), is now in this store.
    public var isComplete: Bool {
        unreadable.isEmpty && undecodable.isEmpty && conflicts.isEmpty && unlistedProblems == 0 && inboxComplete
            && stoppedBy == nil
    }

    init(source: SalvageSource) {
        self.source = source.path
        sourceIdentity = source.identity
        sourceLastSeq = source.lastSeq
        sourceAckedSeq = source.ackedSeq
    }

    /// Whether the file's cloud had acked every seq of `range`: then it holds those messages.
    public func isAcked(_ range: SeqRange) -> Bool {
        guard let acked = sourceAckedSeq, let to = range.to else { return false }
        return to <= acked
    }

    mutating func add(_ problem: RowProblem, to list: WritableKeyPath<SalvageReport, [RowProblem]>) {
        if undecodable.count + conflicts.count < Self.listLimit {
            self[keyPath: list].append(problem)
        } else {
            unlistedProblems += 1
        }
    }
}
