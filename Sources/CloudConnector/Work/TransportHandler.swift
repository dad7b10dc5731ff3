public import ConnectorCore
public import Executors
import Foundation
public import Logging
public import OutboxStore

/// The seed's TransportHandler: runs the cloud's `execution_request`s and reports them (PROTOCOL §4,
/// R11–R13). Every request is validated (a refusal is one `failed` event with a precise code);
/// an accepted one is recorded in the inbox in the same unit as its `accepted` event, so a
/// redelivery is recognised, also after a restart; it then waits for a slot (at most
/// `concurrencyLimit` run at once, the rest in arrival order), runs through the executor, reports
/// progress, and ends with exactly one terminal event appended together with its usage_report and
/// the inbox row's close. Decisions are `ExecutionLifecycle`'s; this actor performs them.
public actor TransportHandler {
    struct Execution {
        var lifecycle = ExecutionLifecycle()
        let request: ExecutionRequest
        let receivedAtMS: Int64
        var startedAtMS: Int64?
        var usage = UsageTotals()
        var task: Task<Void, Never>?
        var timeout: Task<Void, Never>?
        /// When the last progress event was appended: progress is thinned to one per
        /// `progressInterval`, so a handler printing thousands of lines cannot flood the outbox.
        var lastProgressAtMS: Int64?
    }

    static let progressIntervalMS: Int64 = 250

    let store: OutboxStore
    let executor: any Executor
    let messages: ExecutionMessages
    let tenantID: String
    let concurrencyLimit: Int
    /// For requests that carry no `timeout_ms`; nil = no limit.
    let defaultTimeoutMS: Int64?
    let logger: Logger
    let clock: any WallClock

    var executions: [String: Execution] = [:]
    /// Request ids whose `accepted` unit is being committed (a redelivery racing it is a duplicate).
    var accepting: Set<String> = []
    var waiting: [String] = []
    var running = 0
    var stopping = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    public init(
        store: OutboxStore, executor: any Executor, deviceID: String, tenantID: String, concurrencyLimit: Int = 4,
        defaultTimeoutMS: Int64? = nil, logger: Logger, clock: any WallClock = SystemWallClock()
    ) {
        self.defaultTimeoutMS = defaultTimeoutMS
        self.store = store
        self.executor = executor
        self.messages = ExecutionMessages(deviceID: deviceID, tenantID: tenantID)
        self.tenantID = tenantID
        self.concurrencyLimit = max(concurrencyLimit, 1)
        self.logger = logger
        self.clock = clock
    }

    var nowMS: Int64 { clock.nowMilliseconds() }

    /// R13 after a crash: every execution the inbox still has open ends `failed` `interrupted`
    /// (retryable), with its usage report. Call once at start, before any new request.
    public func recoverInterrupted() async {
        let open: [InboxEntry]
        do {
            open = try store.makeReader().openInboxEntries(kind: .executionRequest)
        } catch {
            logger.error("cannot read the inbox to end interrupted executions", metadata: ["error": "\(error)"])
            return
        }
        for entry in open {
            let now = max(nowMS, entry.receivedAtMS)
            // What it used up to its last output: the device cannot know how long it ran after that,
            // and the downtime until this start is not usage.
            let usage = entry.usageSoFar.flatMap(UsageTotals.init(record:)) ?? UsageTotals()
            let duration = entry.startedAtMS.map { started in max((entry.lastOutputAtMS ?? started) - started, 0) } ?? 0
            let drafts = [
                messages.terminal(entry.requestID, ExecutionLifecycle.interrupted, atMS: now),
                messages.usageReport(entry.requestID, workspaceID: entry.workspaceID, usage: usage, durationMS: duration, atMS: now),
            ]
            do {
                _ = try await store.append(drafts, rows: InboxRows.close(entry.requestID, outcome: "failed", atMS: now))
                logger.warning("ended an execution a restart interrupted (R13)", metadata: ["request.id": "\(entry.requestID)"])
            } catch {
                logger.error(
                    "cannot end an interrupted execution; it stays open for the next start",
                    metadata: ["request.id": "\(entry.requestID)", "error": "\(error)"])
            }
        }
    }

    // MARK: intake

    /// An `execution_request` from the cloud.
    public func handle(_ inbound: InboundRequest) async {
        let requestID = inbound.requestID
        guard !stopping else {
            logger.notice("not accepting a request while shutting down; the cloud may redeliver it", metadata: ["request.id": "\(requestID)"])
            return
        }
        if executions[requestID] != nil || accepting.contains(requestID) || isKnown(requestID) {
            logger.notice("duplicate execution_request ignored (R11)", metadata: ["request.id": "\(requestID)"])
            return
        }
        let request: ExecutionRequest
        do throws(RequestRejection) {
            request = try ExecutionRequest.validate(inbound.payload, deviceTenant: tenantID)
        } catch {
            await refuse(requestID, inbound.payload, error)
            return
        }
        accepting.insert(requestID)
        defer { accepting.remove(requestID) }
        let now = nowMS
        do {
            _ = try await store.append(
                [messages.accepted(request, atMS: now)],
                rows: InboxRows.open(
                    requestID, kind: .executionRequest, jobType: request.jobType.rawValue,
                    workspaceID: request.workspaceID, atMS: now))
        } catch {
            // The inbox's primary key refuses a second accept of one request id.
            logger.error("could not accept a request; the cloud may redeliver it", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
            return
        }
        logger.info("accepted", metadata: ["request.id": "\(requestID)", "job_type": "\(request.jobType.rawValue)"])
        executions[requestID] = Execution(request: request, receivedAtMS: now)
        waiting.append(requestID)
        await grantSlots()
    }

    /// `execution_cancel`.
    public func cancel(_ cancel: ExecutionCancel) async {
        guard executions[cancel.requestID] != nil else {
            logger.notice("cancel for an execution that is not running here", metadata: ["request.id": "\(cancel.requestID)"])
            return
        }
        await perform(cancel.requestID) { $0.cancel(reason: cancel.reason) }
    }

    /// Graceful shutdown: takes no new requests, ends every execution `interrupted` (as a crash would
    /// be reported at the next start) and returns once each has its terminal event in the outbox.
    public func shutdown() async {
        stopping = true
        for id in Array(executions.keys) { await perform(id) { $0.interrupt() } }
        if !executions.isEmpty { await withCheckedContinuation { idleWaiters.append($0) } }
    }

    /// Inbox retention (R11): forgets requests answered longer ago than `retention`.
    func pruneInbox(retention: Duration, logger: Logger) {
        let before = nowMS - retention.components.seconds * 1_000
        do {
            let removed = try store.pruneInbox(answeredBeforeMS: before)
            if removed > 0 { logger.info("pruned answered requests from the inbox", metadata: ["rows": "\(removed)"]) }
        } catch {
            logger.error("could not prune the inbox", metadata: ["error": "\(error)"])
        }
    }

    /// Executions not yet ended; for tests and status.
    public var activeCount: Int { executions.count }

    private func isKnown(_ requestID: String) -> Bool {
        ((try? store.makeReader().inboxEntry(requestID: requestID)) ?? nil) != nil
    }

    /// R12/validation: one `failed` event, never accepted; recorded so a redelivery is not answered twice.
    private func refuse(_ requestID: String, _ payload: JSONObject, _ rejection: RequestRejection) async {
        logger.warning("refused a request", metadata: ["request.id": "\(requestID)", "code": "\(rejection.code)", "reason": "\(rejection.message)"])
        let now = nowMS
        let jobType = payload["job_type"]?.stringValue.flatMap { ExecutionRequest.JobType(rawValue: $0)?.rawValue }
        do {
            _ = try await store.append(
                [messages.terminal(requestID, .failed(code: rejection.code, message: rejection.message, retryable: false), atMS: now)],
                rows: InboxRows.answered(requestID, kind: .executionRequest, jobType: jobType, outcome: "refused", atMS: now))
        } catch {
            logger.error("could not report a refused request", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
        }
    }

    // MARK: lifecycle

    /// Runs `event` on the execution's lifecycle and performs its actions.
    func perform(_ requestID: String, _ event: (inout ExecutionLifecycle) -> [ExecutionLifecycle.Action]) async {
        guard var execution = executions[requestID] else { return }
        let actions = event(&execution.lifecycle)
        executions[requestID] = execution
        for action in actions {
            await apply(action, requestID)
        }
    }

    func grantSlots() async {
        while running < concurrencyLimit, !waiting.isEmpty {
            let id = waiting.removeFirst()
            guard executions[id]?.lifecycle.state == .waiting else { continue }
            running += 1
            executions[id]?.startedAtMS = nowMS
            await perform(id) { $0.slotGranted() }
        }
    }

    func ended(_ requestID: String) async {
        guard let execution = executions.removeValue(forKey: requestID) else { return }
        execution.timeout?.cancel()
        if execution.startedAtMS != nil { running -= 1 }
        waiting.removeAll { $0 == requestID }
        if executions.isEmpty {
            idleWaiters.forEach { $0.resume() }
            idleWaiters = []
        }
        if !stopping { await grantSlots() }
    }
}
