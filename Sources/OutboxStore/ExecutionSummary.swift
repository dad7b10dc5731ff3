public import ConnectorCore

/// The timeline summary of one execution, folded from its execution_events.
///
/// `merge` is commutative and associative, with ties broken by seq, so the summary of a request is the
/// same whether its events are folded one by one as they are appended, or as a "retired" part (what
/// retention or the size bound removed from the log) merged with what the log still holds. That is
/// what makes `rebuild` = fold(retired, log) equal to the live projection.
public struct ExecutionSummary: Sendable, Equatable {
    public enum Status: String, Sendable {
        case accepted, running, completed, failed, cancelled

        var rank: Int {
            switch self {
            case .accepted: return 0
            case .running: return 1
            case .completed, .failed, .cancelled: return 2
            }
        }
    }

    public var requestID: String
    /// From the first `accepted` event's `data.job_type`.
    public var jobType: String?
    public var jobTypeSeq: Int64?
    public var status: Status
    public var firstEventMS: Int64
    public var lastEventMS: Int64
    public var firstSeq: Int64
    public var lastSeq: Int64
    /// The first terminal event (R13 allows exactly one; a second one does not change the outcome).
    public var terminalSeq: Int64?
    public var terminalAtMS: Int64?
    public var eventCount: Int64

    /// Time from the first event to the terminal one.
    public var durationMS: Int64? {
        terminalAtMS.map { $0 - firstEventMS }
    }

    public init(requestID: String, seq: Int64, eventType: ExecutionEventType, eventAtMS: Int64, jobType: String?) {
        self.requestID = requestID
        self.jobType = eventType == .accepted ? jobType : nil
        self.jobTypeSeq = eventType == .accepted && jobType != nil ? seq : nil
        switch eventType {
        case .accepted: status = .accepted
        case .started, .progress: status = .running
        case .completed: status = .completed
        case .failed: status = .failed
        case .cancelled: status = .cancelled
        }
        firstEventMS = eventAtMS
        lastEventMS = eventAtMS
        firstSeq = seq
        lastSeq = seq
        terminalSeq = eventType.isTerminal ? seq : nil
        terminalAtMS = eventType.isTerminal ? eventAtMS : nil
        eventCount = 1
    }

    public init(
        requestID: String, jobType: String?, jobTypeSeq: Int64?, status: Status, firstEventMS: Int64,
        lastEventMS: Int64, firstSeq: Int64, lastSeq: Int64, terminalSeq: Int64?, terminalAtMS: Int64?,
        eventCount: Int64
    ) {
        self.requestID = requestID
        self.jobType = jobType
        self.jobTypeSeq = jobTypeSeq
        self.status = status
        self.firstEventMS = firstEventMS
        self.lastEventMS = lastEventMS
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.terminalSeq = terminalSeq
        self.terminalAtMS = terminalAtMS
        self.eventCount = eventCount
    }

    public mutating func merge(_ other: ExecutionSummary) {
        if let otherSeq = other.jobTypeSeq, jobTypeSeq.map({ otherSeq < $0 }) ?? true {
            jobType = other.jobType
            jobTypeSeq = otherSeq
        }
        if let otherTerminal = other.terminalSeq {
            if terminalSeq.map({ otherTerminal < $0 }) ?? true {
                terminalSeq = otherTerminal
                terminalAtMS = other.terminalAtMS
                status = other.status
            }
        } else if terminalSeq == nil, other.status.rank > status.rank {
            status = other.status
        }
        firstEventMS = min(firstEventMS, other.firstEventMS)
        lastEventMS = max(lastEventMS, other.lastEventMS)
        firstSeq = min(firstSeq, other.firstSeq)
        lastSeq = max(lastSeq, other.lastSeq)
        eventCount += other.eventCount
    }

    public func merged(_ other: ExecutionSummary) -> ExecutionSummary {
        var copy = self
        copy.merge(other)
        return copy
    }
}
