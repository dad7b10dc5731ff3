internal import CWebSockets

extension LoopCore {
    static let tickMicroseconds: Int64 = 100_000

    func scheduleTick() {
        timer.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        cws_timer_schedule(context, timer, lwsTick, Self.tickMicroseconds)
    }

    /// Connect and request deadlines, checked at most every 50 ms.
    func runMaintenance() {
        let now = ContinuousClock.now
        guard now - lastMaintenance >= .milliseconds(50) else { return }
        lastMaintenance = now
        for connection in Array(connections.values) {
            guard let deadline = connection.io.connectDeadline, now >= deadline,
                let setup = connection.clientSetup
            else { continue }
            giveUpConnect(
                connection,
                .timedOut(operation: "WebSocket connect to \(setup.endpoint.display)", after: setup.connectTimeout))
        }
        for exchange in Array(httpExchanges.values) {
            guard now >= exchange.deadline else {
                holdOffLibraryTimeout(exchange, now: now)
                continue
            }
            let request = exchange.call.request
            let operation = "HTTP \(request.method) \(exchange.call.endpoint.display)"
            fail(exchange, .timedOut(operation: operation, after: request.timeout), killSocket: true)
        }
    }

    /// Shutdown: no new work, every connection gets a 1001 close, pending requests fail.
    func beginShutdown(grace: Duration) {
        drainDeadline = .now + grace
        logger.debug("event loop shutting down", metadata: ["connections": "\(connections.count)"])
        for exchange in Array(httpExchanges.values) { fail(exchange, .loopStopped, killSocket: true) }
        for connection in Array(connections.values) {
            if connection.io.connectDeadline != nil {
                giveUpConnect(connection, .loopStopped)
            } else {
                connection.close(code: .goingAway, reason: "shutting down")
                if let wsi = connection.io.wsi { lws_callback_on_writable(wsi) }
            }
        }
        for server in servers.values { server.stopping = true }
    }

    /// After shutdown began: once the close handshakes are done, or the grace period is over.
    var readyToExit: Bool {
        guard let deadline = drainDeadline else { return false }
        return connections.isEmpty || ContinuousClock.now >= deadline
    }
}
