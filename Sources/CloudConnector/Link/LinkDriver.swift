import ConnectorCore
import Foundation
import Logging
import OutboxStore
import WebSocketTransport

/// The thin shell around the link's pure cores: it feeds `ConnectionStateMachine` (handshake,
/// heartbeats R9, backoff R10, refusals) and `ReplayWindow` (replay R4/R7/R8) events with the
/// monotonic time, and performs the actions they return — sockets, token fetches, store reads and
/// writes, the one timer.
///
/// Every input goes through one mailbox and is handled in order on the task that runs `run`; the
/// state lives in this object and nothing else touches it, so there are no locks. Work that waits
/// (a connect, a token fetch, a timer, a socket's events) runs as child tasks of one task group
/// that posts results back into the mailbox.
final class LinkDriver {
    let settings: LinkSettings
    let store: OutboxStore
    let loop: WebSocketEventLoop
    let logger: Logger
    let onInbound: @Sendable (InboundFrame) -> Void

    let mailbox: AsyncStream<LinkInput>
    let inbox: AsyncStream<LinkInput>.Continuation
    let clock = ContinuousClock()
    let origin: ContinuousClock.Instant
    let startedAtMS: Int64

    var machine: ConnectionStateMachine
    var window: ReplayWindow<StoredMessage>
    let tokens: TokenClient
    /// Cheap point reads (last_seq, sequence state), done inline.
    let reader: OutboxReader
    let pageReads: PageReads

    // The current socket.
    var attempt: UInt64 = 0
    var connection: WebSocketConnection?
    var connectInFlight = false

    // The one timer.
    var timerGeneration: UInt64 = 0
    var armedDeadline: MonotonicInstant?

    // Replay.
    var pumpPosted = false
    var waitingForDrain = false
    /// Page requests held back until a rewind of the delivery cursor is durable.
    var rewindInFlight = false
    var heldPageRequests: [PageRequest] = []
    /// Seqs up to here were sent by this process; sending one again is a resend.
    var highestSentSeq: Int64 = 0
    var lastBacklog: Backlog?

    // Store writes, one of each kind outstanding at a time.
    var ackInFlight = false
    var ackToRecord: Int64?
    var statusInFlight = false
    var statusDirty = false
    var statusFlushScheduled = false
    /// When the counters were last written because the link fell idle (at most once per flush
    /// interval, so a trickle of single messages does not write the status after each ack).
    var lastIdleFlush: MonotonicInstant?
    var knownLastSeq: Int64 = 0
    var counters = LinkCounters()

    // Shutdown.
    var draining = false
    var shutdownFed = false

    init(
        settings: LinkSettings, store: OutboxStore, loop: WebSocketEventLoop, logger: Logger,
        onInbound: @escaping @Sendable (InboundFrame) -> Void
    ) throws {
        self.settings = settings
        self.store = store
        self.loop = loop
        self.logger = logger
        self.onInbound = onInbound
        (mailbox, inbox) = AsyncStream.makeStream(of: LinkInput.self)
        origin = clock.now
        startedAtMS = SystemWallClock().nowMilliseconds()
        machine = ConnectionStateMachine(configuration: settings.connection, jitterSeed: settings.jitterSeed)
        window = ReplayWindow(configuration: settings.replay)
        reader = try store.makeReader()
        pageReads = PageReads(try store.makeReader())
        tokens = TokenClient(
            loop: loop, apiURL: settings.apiURL, displayAPIURL: settings.displayAPIURL, deviceID: settings.deviceID,
            tenantID: settings.tenantID, apiKey: settings.apiKey, tls: settings.tls)
    }

    var now: MonotonicInstant {
        MonotonicInstant(nanoseconds: (clock.now - origin).saturatingNanoseconds)
    }

    /// Runs until the link has stopped after `shutdownRequested` and its last writes are durable.
    func run() async {
        inbox.yield(.start)
        await withDiscardingTaskGroup { group in
            for await input in mailbox {
                handle(input, &group)
                if isFinished { break }
                afterInput(&group)
            }
            group.cancelAll()
        }
        inbox.finish()
        pageReads.drain()
    }

    /// Stopped, nothing left to write, socket gone.
    var isFinished: Bool {
        shutdownFed && machine.linkStatus.state == .stopped && connection == nil && !ackInFlight && ackToRecord == nil
            && !statusInFlight && !statusDirty
    }

    func handle(_ input: LinkInput, _ group: inout DiscardingTaskGroup) {
        switch input {
        case .start:
            knownLastSeq = (try? reader.lastAssignedSeq()) ?? 0
            feed(.start, &group)
        case .token(let result):
            if settings.faults.contains(.logSecrets), case .fetched(let token, _) = result {
                logger.info("test fault logSecrets: fetched a device token", metadata: ["token": "\(token.revealed)"])
            }
            feed(result.event, &group)
        case .socketConnected(let attempt, let connection):
            socketConnected(attempt, connection, &group)
        case .socketFailed(let attempt, let reason, let refusedWith):
            guard attempt == self.attempt, connectInFlight else { return }
            connectInFlight = false
            feed(.socketClosed(code: refusedWith, reason: reason), &group)
        case .socketEvent(let attempt, let event):
            guard attempt == self.attempt, connection != nil else { return }
            socketEvent(event, &group)
        case .closeTimedOut(let attempt):
            if attempt == self.attempt, let connection {
                logger.warning("the close handshake did not finish in time; cutting the connection")
                connection.abort()
            }
        case .tick(let generation):
            guard generation == timerGeneration else { return }
            armedDeadline = nil
            feed(.tick, &group)
        case .pump:
            pumpPosted = false
            pump(&group)
        case .sendQueueDrained(let attempt):
            if attempt == self.attempt { waitingForDrain = false }
        case .pageRead(let request, let result):
            pageRead(request, result, &group)
        case .retryPageRead:
            perform(window.retryFetch(), &group)
        case .heartbeatBacklog(let attempt, let result):
            sendHeartbeat(attempt, result)
        case .storeChanged:
            storeChanged(&group)
        case .ackRecorded(let result):
            ackRecorded(result)
        case .rewindRecorded(let result):
            rewindRecorded(result, &group)
        case .statusRecorded(let result):
            statusInFlight = false
            if case .failure(let error) = result {
                logger.error("could not record the link status", metadata: ["error": "\(error)"])
            }
        case .statusFlushDue:
            statusFlushScheduled = false
            if counters.shown != counters.recorded { statusDirty = true }
        case .shutdownRequested:
            beginShutdown(&group)
        case .drainDeadline:
            if draining, !shutdownFed {
                logger.notice(
                    "shutdown grace period over; closing with messages still unacked (they are resent on the next start)",
                    metadata: ["inflight": "\(window.inflightCount)"])
                finishShutdown(&group)
            }
        }
    }

    /// After every input: keep the replay moving, the status written and the timer armed.
    func afterInput(_ group: inout DiscardingTaskGroup) {
        if draining, !shutdownFed, window.inflightCount == 0 || connection == nil {
            finishShutdown(&group)
        }
        if window.hasSendable, !pumpPosted, !waitingForDrain, !draining {
            pumpPosted = true
            inbox.yield(.pump)
        }
        if counters.shown != counters.recorded {
            // Caught up: the counters are complete now, so `status` should not show a backlog as
            // acked but not yet sent; otherwise they are flushed on the interval.
            if window.isIdle, lastIdleFlush.map({ now - $0 >= settings.statusFlushInterval }) ?? true {
                lastIdleFlush = now
                statusDirty = true
            } else if !statusFlushScheduled {
                statusFlushScheduled = true
                post(.statusFlushDue, after: settings.statusFlushInterval, &group)
            }
        }
        writeStatusIfNeeded()
        armTimer(&group)
    }

    /// One event into the connection state machine, its actions performed in order.
    func feed(_ event: ConnectionEvent, _ group: inout DiscardingTaskGroup) {
        for action in machine.handle(event, at: now) {
            perform(action, &group)
        }
    }

    /// Re-arms the timer only when the deadline moved earlier: a later deadline is met by an early
    /// tick (harmless to the state machine) and re-armed then, so frames arriving by the thousand
    /// do not start a thousand sleeping tasks.
    func armTimer(_ group: inout DiscardingTaskGroup) {
        guard let deadline = machine.nextDeadline else { return }
        if let armed = armedDeadline, armed <= deadline { return }
        timerGeneration &+= 1
        armedDeadline = deadline
        let generation = timerGeneration
        let wake = origin + .nanoseconds(min(deadline.nanoseconds, (now + .seconds(86_400)).nanoseconds))
        let inbox = self.inbox
        let clock = self.clock
        group.addTask {
            try? await clock.sleep(until: wake, tolerance: .milliseconds(1))
            if !Task.isCancelled { inbox.yield(.tick(generation: generation)) }
        }
    }

    /// Posts `input` after `delay`, from a child task.
    func post(_ input: LinkInput, after delay: Duration, _ group: inout DiscardingTaskGroup) {
        let inbox = self.inbox
        group.addTask {
            try? await Task.sleep(for: delay)
            if !Task.isCancelled { inbox.yield(input) }
        }
    }
}
