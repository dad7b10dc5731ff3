import DequeModule

/// The outbox dispatcher's pure core (R4, R7, R8): which held messages to send on the current
/// connection, when, and what to record, paced by the cloud's cumulative acks.
///
/// It never does seq + 1 arithmetic: it works on "the held messages above a cursor, in seq order",
/// as pages from the store, because seqs may have gaps (R4). Memory stays bounded whatever the
/// backlog: at most `2 · pageSize` messages buffered plus the seqs of what is in flight.
///
/// Pacing, so heartbeats are never starved (R8): events only update state and ask for pages;
/// messages leave only through `nextBatch()`, at most `maxBatch` per call. The shell calls it once
/// per turn of its event loop while `hasSendable`, going back to its mailbox (timer ticks, inbound
/// frames) between calls, and sends heartbeats, pongs and `connect` at the transport's high
/// priority, which overtakes outbox frames already queued.
public struct ReplayWindow<Message: ReplayMessage>: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Messages per store read; the window refills when at most this many are buffered.
        public var pageSize: Int
        /// Most messages one `nextBatch()` hands out.
        public var maxBatch: Int
        /// `max_inflight` from the cloud is clamped to this.
        public var inflightCeiling: Int

        public init(pageSize: Int = 256, maxBatch: Int = 64, inflightCeiling: Int = 100_000) {
            self.pageSize = max(pageSize, 1)
            self.maxBatch = max(maxBatch, 1)
            self.inflightCeiling = max(inflightCeiling, 1)
        }
    }

    public let configuration: Configuration
    public private(set) var isRunning = false
    /// The cloud's cumulative ack as this connection knows it.
    public private(set) var ackedSeq: Int64 = 0
    /// The highest seq handed out by `nextBatch()` on this connection.
    public private(set) var sentThrough: Int64 = 0
    public private(set) var maxInflight = 0
    /// The highest seq known to be assigned in the store (from `start` and `appended`).
    public private(set) var knownLastSeq: Int64 = 0
    public private(set) var outstandingPage: PageRequest?

    private var connection: UInt64 = 0
    private var inflight = Deque<Int64>()
    private var buffer = Deque<Message>()
    /// Every held seq at or below this is buffered, sent, acked or proven absent.
    private var fetchCursor: Int64 = 0
    private var mayHaveMore = false
    /// Set by `pageFailed`: no reads until the shell calls `retryFetch()` after its pause.
    private var readFailed = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sent on this connection and not yet acked (R8 bounds it by `maxInflight`).
    public var inflightCount: Int { inflight.count }
    public var bufferedCount: Int { buffer.count }
    /// Caught up: running, nothing in flight, nothing buffered or being read, nothing known to be
    /// left in the store. The moment a status report is complete.
    public var isIdle: Bool { isRunning && inflight.isEmpty && buffer.isEmpty && outstandingPage == nil && !mayHaveMore }
    /// True when `nextBatch()` would hand out at least one message.
    public var hasSendable: Bool { isRunning && !buffer.isEmpty && inflight.count < maxInflight }

    /// A `connect_ack` arrived. `ackedSeq` is its `acked_seq`; `lastAssignedSeq` and `storeAckedSeq`
    /// are the store's `last_seq` and `acked_seq` as read now. Everything of an earlier connection
    /// is forgotten: a reconnect resends every held message above the new ack, in order.
    public mutating func start(
        ackedSeq: Int64, lastAssignedSeq: Int64, storeAckedSeq: Int64, maxInflight: Int
    ) -> [ReplayAction<Message>] {
        connection &+= 1
        isRunning = true
        inflight.removeAll()
        buffer.removeAll()
        outstandingPage = nil
        readFailed = false
        self.ackedSeq = ackedSeq
        sentThrough = ackedSeq
        fetchCursor = ackedSeq
        self.maxInflight = min(max(maxInflight, 1), configuration.inflightCeiling)
        knownLastSeq = max(knownLastSeq, lastAssignedSeq)

        var actions: [ReplayAction<Message>] = []
        if ackedSeq > lastAssignedSeq {
            actions.append(.advanceSequence(past: ackedSeq, lastAssigned: lastAssignedSeq))
            knownLastSeq = max(knownLastSeq, ackedSeq)
        }
        if ackedSeq < storeAckedSeq {
            actions.append(.rewindAcked(from: storeAckedSeq, to: ackedSeq))
        } else if ackedSeq > storeAckedSeq {
            actions.append(.markAcked(through: ackedSeq))
        }
        // Always read once: cheaper than trusting that no append slipped past both snapshots.
        mayHaveMore = true
        actions += fetchIfNeeded()
        return actions
    }

    /// The connection is gone; nothing more is sent until the next `start`.
    public mutating func stop() {
        isRunning = false
        inflight.removeAll()
        buffer.removeAll()
        outstandingPage = nil
        mayHaveMore = false
    }

    /// An `ack` frame. Lower or repeated acks are ignored (PROTOCOL §4).
    public mutating func ack(_ seq: Int64) -> [ReplayAction<Message>] {
        guard isRunning, seq > ackedSeq else { return [] }
        var actions: [ReplayAction<Message>] = []
        let highestKnown = max(knownLastSeq, fetchCursor)
        if seq > highestKnown {
            actions.append(.advanceSequence(past: seq, lastAssigned: highestKnown))
            knownLastSeq = seq
        }
        if seq > sentThrough {
            actions.append(.reportAnomaly(.ackAboveSent(ack: seq, sentThrough: sentThrough)))
        }
        ackedSeq = seq
        actions.append(.markAcked(through: seq))
        while let first = inflight.first, first <= seq { _ = inflight.popFirst() }
        if seq > sentThrough {
            // The cloud already holds these: sending them again would only be deduplicated.
            while let first = buffer.first, first.seq <= seq { _ = buffer.popFirst() }
            sentThrough = seq
            fetchCursor = max(fetchCursor, seq)
        }
        actions += fetchIfNeeded()
        return actions
    }

    /// The store's answer to `request`. Rows are trusted only as far as they keep the order
    /// contract; anything else is skipped and reported.
    public mutating func pageLoaded(_ page: [Message], for request: PageRequest) -> [ReplayAction<Message>] {
        guard isRunning, request == outstandingPage else { return [] }
        outstandingPage = nil
        var actions: [ReplayAction<Message>] = []
        var previous = request.after
        for message in page {
            guard message.seq > previous else {
                actions.append(.reportAnomaly(.pageOutOfOrder(expectedAbove: previous, got: message.seq)))
                continue
            }
            previous = message.seq
            // An ack beyond the cursor may have arrived while the page was read.
            guard message.seq > fetchCursor else { continue }
            buffer.append(message)
            fetchCursor = message.seq
        }
        if page.count < request.limit {
            // A short page read everything held up to the moment of the read, which is after
            // every append known when the request was made.
            fetchCursor = max(fetchCursor, request.knownLastSeq)
            mayHaveMore = knownLastSeq > fetchCursor
        } else {
            // A full page that moved nothing forward means the store ignores the cursor: asking
            // again would loop. Wait for the next append or ack to try again.
            mayHaveMore = fetchCursor > request.after
        }
        actions += fetchIfNeeded()
        return actions
    }

    /// The store could not answer `request`. Call `retryFetch()` after a pause of the shell's
    /// choosing; the window does not retry on its own, which would spin on a persistent error.
    public mutating func pageFailed(_ request: PageRequest) {
        guard request == outstandingPage else { return }
        outstandingPage = nil
        readFailed = true
    }

    public mutating func retryFetch() -> [ReplayAction<Message>] {
        readFailed = false
        return fetchIfNeeded()
    }

    /// Messages up to `lastSeq` have been committed (this process or another). Works while stopped
    /// too, so the next connection knows about them.
    public mutating func appended(lastSeq: Int64) -> [ReplayAction<Message>] {
        knownLastSeq = max(knownLastSeq, lastSeq)
        guard isRunning else { return [] }
        if lastSeq > fetchCursor { mayHaveMore = true }
        return fetchIfNeeded()
    }

    /// The next messages to send, at most `maxBatch`, never more than the window has room for.
    public mutating func nextBatch() -> [ReplayAction<Message>] {
        guard isRunning else { return [] }
        let count = min(maxInflight - inflight.count, configuration.maxBatch, buffer.count)
        var actions: [ReplayAction<Message>] = []
        if count > 0 {
            var batch: [Message] = []
            batch.reserveCapacity(count)
            for _ in 0..<count {
                guard let message = buffer.popFirst() else { break }
                inflight.append(message.seq)
                sentThrough = message.seq
                batch.append(message)
            }
            actions.append(.send(batch))
        }
        actions += fetchIfNeeded()
        return actions
    }

    /// One page at a time, and only while the buffer has room for a whole page: this, not the
    /// window, bounds memory. It reads ahead while the window is full, so an ack can be answered
    /// from memory instead of waiting for a read.
    private mutating func fetchIfNeeded() -> [ReplayAction<Message>] {
        guard isRunning, outstandingPage == nil, !readFailed, mayHaveMore, buffer.count <= configuration.pageSize else {
            return []
        }
        let request = PageRequest(
            after: fetchCursor, limit: configuration.pageSize, connection: connection, knownLastSeq: knownLastSeq)
        outstandingPage = request
        return [.fetchPage(request)]
    }
}
