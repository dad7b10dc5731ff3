internal import CWebSockets
import Foundation
import Logging

/// The engine behind `WebSocketEventLoop`: one `lws_context` and the one thread that services it.
/// Other threads only `submit` commands; every lws call happens on the service thread.
final class LoopCore: @unchecked Sendable {
    // @unchecked: `commands`, `accepting`, `liveContext` and the startup/exit fields are guarded
    // by `condition`; every other stored property is touched only on the service thread (see
    // `assertServiceThread`), and `logger`/`threadName` are immutable.

    let logger: Logger
    let threadName: String
    let faults: TransportFaults

    private let condition = NSCondition()
    private var commands: [LoopCommand] = []
    private var accepting = false
    /// Non-nil exactly while the context may be woken: `lws_cancel_service` on a destroyed
    /// context would be a use-after-free.
    private var liveContext: OpaquePointer?
    private var startup: Result<Void, TransportError>?
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    /// Loops running this loop's servers, stopped with it.
    private var children: [ObjectIdentifier: LoopCore] = [:]

    // Service thread only.
    var context: OpaquePointer?
    var serviceThread: pthread_t?
    let protocols = ProtocolTables()
    let timer: UnsafeMutablePointer<cws_timer_t>
    /// Strong references for everything an lws opaque pointer points to.
    var retained: [ObjectIdentifier: AnyObject] = [:]
    var connections: [ObjectIdentifier: WebSocketConnection] = [:]
    var httpExchanges: [ObjectIdentifier: HTTPClientExchange] = [:]
    var serverExchanges: [Int: HTTPServerExchange] = [:]
    var servers: [Int: ServerState] = [:]
    var clientVhosts: [String: OpaquePointer] = [:]
    var deferred: [LoopCommand] = []
    var drainDeadline: ContinuousClock.Instant?
    var lastMaintenance = ContinuousClock.now
    var nextID = 0
    let vhostStrings = CStrings()
    /// Scratch space for `lws_http_client_read`.
    var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)

    init(threadName: String, logger: Logger, faults: TransportFaults = []) {
        self.threadName = threadName
        self.logger = logger
        self.faults = faults
        timer = .allocate(capacity: 1)
        timer.initialize(to: cws_timer_t())
    }

    deinit {
        timer.deallocate()
    }

    // MARK: Any thread

    /// Starts the service thread and waits until the context exists.
    func start() throws(TransportError) {
        LogBridge.shared.install(logger, replacing: false)
        let thread = Thread { [self] in serviceThreadMain() }
        thread.name = threadName
        thread.start()
        condition.lock()
        while startup == nil { condition.wait() }
        let result = startup!
        condition.unlock()
        try result.get()
    }

    /// Queues `command` and wakes the service thread. False when the loop no longer takes it.
    @discardableResult
    func submit(_ command: LoopCommand, onlyWhileAccepting: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let context = liveContext, accepting || !onlyWhileAccepting else { return false }
        commands.append(command)
        lws_cancel_service(context)
        return true
    }

    /// Stops taking new work and asks the service thread to close everything and exit.
    func requestShutdown(grace: Duration) {
        condition.lock()
        defer { condition.unlock() }
        guard accepting, let context = liveContext else { return }
        accepting = false
        commands.append(.shutdown(grace: grace))
        lws_cancel_service(context)
    }

    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if exited {
                condition.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    var isRunning: Bool { condition.withLock { !exited } }

    /// Registers a server's loop; false once this loop is shutting down.
    func adopt(_ child: LoopCore) -> Bool {
        condition.withLock {
            guard accepting else { return false }
            children[ObjectIdentifier(child)] = child
            return true
        }
    }

    func release(_ child: LoopCore) {
        _ = condition.withLock { children.removeValue(forKey: ObjectIdentifier(child)) }
    }

    func takeChildren() -> [LoopCore] {
        condition.withLock {
            defer { children = [:] }
            return Array(children.values)
        }
    }

    // MARK: Service thread

    private func serviceThreadMain() {
        serviceThread = pthread_self()
        cws_name_current_thread(String(threadName.prefix(15)))
        let created = createContext()
        condition.withLock {
            startup = created
            if case .success = created {
                liveContext = context
                accepting = true
            }
            condition.broadcast()
        }
        if case .success = created {
            scheduleTick()
            while !readyToExit {
                if lws_service(context, 0) < 0 && drainDeadline == nil {
                    // lws gives up on a broken poll set; serving on would only spin.
                    logger.error("libwebsockets service failed; shutting the event loop down")
                    stopAccepting()
                    beginShutdown(grace: .zero)
                }
                drainCommands(inCallback: false)
                runMaintenance()
            }
            destroyContext()
        }
        let waiters = condition.withLock {
            exited = true
            defer { exitWaiters = [] }
            return exitWaiters
        }
        waiters.forEach { $0.resume() }
    }

    private func createContext() -> Result<Void, TransportError> {
        var info = lws_context_creation_info()
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.gid = -1
        info.uid = -1
        guard let created = SSLLibraryInit.createContext(&info, faults: faults) else {
            return .failure(.loopStartFailed("lws_create_context failed"))
        }
        context = created
        do {
            // A client vhost from the start makes sure every wake-up has a protocol to be
            // delivered to; the plain one, so a loop that never uses TLS never loads a trust store.
            _ = try clientVhost(for: TLSConfiguration(), secure: false)
        } catch {
            lws_context_destroy(created)
            context = nil
            return .failure(error)
        }
        return .success(())
    }

    private func stopAccepting() { condition.withLock { accepting = false } }

    private func destroyContext() {
        let leftovers = condition.withLock {
            liveContext = nil
            accepting = false
            defer { commands = [] }
            return commands
        }
        (deferred + leftovers).forEach(refuse)
        deferred = []
        for connection in connections.values where connection.io.closure == nil {
            connection.io.failure = "event loop shut down"
        }
        cws_timer_cancel(timer)
        // Closes every remaining socket; the CLOSED callbacks still arrive and finish them.
        lws_context_destroy(context)
        context = nil
        for connection in Array(connections.values) {
            finish(connection, .failed(reason: "event loop shut down"))
        }
        for exchange in Array(httpExchanges.values) { fail(exchange, .loopStopped) }
        for server in servers.values { server.sink.finish() }
        servers = [:]
        retained = [:]
        serverExchanges = [:]
    }

    func assertServiceThread() {
        assert(serviceThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false)
    }

    func makeID() -> Int {
        nextID += 1
        return nextID
    }

    // MARK: Commands

    /// Runs queued commands. Inside a callback, vhost-level ones wait for the loop to be between
    /// `lws_service` calls.
    func drainCommands(inCallback: Bool) {
        assertServiceThread()
        var batch = condition.withLock {
            defer { commands = [] }
            return commands
        }
        if !inCallback && !deferred.isEmpty {
            batch = deferred + batch
            deferred = []
        }
        for command in batch {
            if inCallback && mustDefer(command) {
                deferred.append(command)
            } else {
                execute(command)
            }
        }
    }

    private func mustDefer(_ command: LoopCommand) -> Bool {
        if command.needsQuiescentLoop { return true }
        switch command {
        case .connect(let connection):
            guard let setup = connection.clientSetup else { return false }
            return clientVhosts[vhostKey(setup.tls, secure: setup.endpoint.secure)] == nil
        case .httpRequest(let call): return clientVhosts[vhostKey(call.request.tls, secure: call.endpoint.secure)] == nil
        default: return false
        }
    }

    private func execute(_ command: LoopCommand) {
        switch command {
        case .connect(let connection): startConnect(connection)
        case .flush(let connection):
            let closing = connection.flushCommandReceived()
            guard let wsi = connection.io.wsi, !connection.io.finished else { break }
            if closing { boundCloseSend(connection, wsi) }
            lws_callback_on_writable(wsi)
        case .abort(let connection): abort(connection)
        case .cancelConnect(let connection):
            if !connection.io.finished && connection.io.connectDeadline != nil {
                giveUpConnect(connection, .cancelled)
            }
        case .httpRequest(let call): startRequest(call)
        case .cancelHTTPStream(let channel): cancelStream(channel)
        case .resumeHTTPStream(let channel): resumeStream(channel)
        case .httpResponse(let id, let response): respond(exchangeID: id, response)
        case .startServer(let start): startServer(start)
        case .shutdown(let grace): beginShutdown(grace: grace)
        }
    }

    /// A command that arrived too late for the loop to run it.
    private func refuse(_ command: LoopCommand) {
        switch command {
        case .connect(let connection):
            connection.finish(.failed(reason: "event loop shut down"), connectError: .loopStopped)
        case .httpRequest(let call): call.delivery.fail(.loopStopped)
        case .startServer(let start):
            start.connections.finish()
            start.completion.resume(returning: .failure(.loopStopped))
        case .flush, .abort, .cancelConnect, .cancelHTTPStream, .resumeHTTPStream, .httpResponse, .shutdown: break
        }
    }
}
