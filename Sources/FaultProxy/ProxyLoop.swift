import Glibc

/// The loop thread: owns the listening socket and every connection, applies commands and
/// schedules, and moves bytes between the sockets poll(2) reports ready. It sleeps in poll until a
/// socket, a command or the next timer (latency, pacing, refusal end, schedule) needs it.
final class ProxyLoop {
    /// Per-direction shaping.
    struct Shaping {
        var bytesPerSecond: Int?
        var latency: Duration = .zero
    }

    let control: ProxyControl
    let port: Int
    let upstreamAddress: sockaddr_in
    /// -1 while refusing new connections.
    var listener: Int32
    var connections: [ProxiedConnection] = []
    var stalled: Direction = []
    var upstreamShaping = Shaping()
    var downstreamShaping = Shaping()
    var blackhole = false
    /// When refusing ends and the listener reopens (retried if the port is taken meanwhile).
    var refuseUntil: ContinuousClock.Instant?
    /// After accept(2) failed with the listener still readable: polling it again at once would spin.
    var acceptPausedUntil: ContinuousClock.Instant?
    var cutSchedule: CutSchedule?
    var stallSchedule: StallSchedule?
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(control: ProxyControl, listener: Int32, port: Int, upstream: sockaddr_in) {
        self.control = control
        self.listener = listener
        self.port = port
        upstreamAddress = upstream
    }

    func run() {
        defer { shutDown() }
        var pollSet: [pollfd] = []
        while true {
            let (requests, stopping) = control.take()
            for request in requests {
                if !stopping { apply(request.command, now: .now) }
                request.done.signal()
            }
            if stopping { return }
            let now = ContinuousClock.now
            runTimers(now: now)
            for connection in connections { service(connection, now: now) }
            connections.removeAll { $0.state == .closed }
            control.stats.withLock { $0.activeConnections = connections.count }

            let timeout = fillPollSet(&pollSet, now: now)
            if poll(&pollSet, nfds_t(pollSet.count), timeout) < 0 {
                // EINTR: go round. Anything else is a bug; pausing keeps it from spinning.
                if errno != EINTR { usleep(10_000) }
                continue
            }
            handleEvents(pollSet, now: .now)
        }
    }

    // MARK: Commands and timers

    func apply(_ command: Command, now: ContinuousClock.Instant) {
        switch command {
        case .cut(let reset, let window):
            // Take in connections whose handshake already completed, so "all" includes them.
            acceptPending(now: now)
            if window > .zero { refuse(until: now + window) }
            cut(reset: reset)
        case .refuse(let window): refuse(until: now + window)
        case .stall(let direction): stalled.formUnion(direction)
        case .resume(let direction): stalled.subtract(direction)
        case .bandwidth(let rate, let direction):
            if direction.contains(.upstream) { upstreamShaping.bytesPerSecond = rate }
            if direction.contains(.downstream) { downstreamShaping.bytesPerSecond = rate }
        case .latency(let latency, let direction):
            if direction.contains(.upstream) { upstreamShaping.latency = latency }
            if direction.contains(.downstream) { downstreamShaping.latency = latency }
        case .blackhole(let on): blackhole = on
        case .halfOpen(let vanished):
            acceptPending(now: now)
            halfOpen(vanished: vanished)
        case .cutSchedule(let range, let seed, let reset):
            cutSchedule = CutSchedule(every: range, seed: seed, reset: reset, now: now)
        case .stallSchedule(let stall, let every, let direction):
            stallSchedule = StallSchedule(stall: stall, every: every, direction: direction, now: now)
        case .stopSchedules:
            cutSchedule = nil
            stallSchedule = nil
        }
    }

    func runTimers(now: ContinuousClock.Instant) {
        if let until = refuseUntil, until <= now {
            do {
                listener = try Socket.listen(on: Socket.address(host: "127.0.0.1", port: port))
                refuseUntil = nil
            } catch {
                refuseUntil = now + .milliseconds(50)
            }
        }
        if let until = acceptPausedUntil, until <= now { acceptPausedUntil = nil }
        if var schedule = cutSchedule, schedule.next <= now {
            acceptPending(now: now)
            cut(reset: schedule.reset)
            schedule.advance(now: now)
            cutSchedule = schedule
        }
        if var schedule = stallSchedule, schedule.next <= now {
            schedule.advance(now: now)
            stallSchedule = schedule
        }
    }

    func cut(reset: Bool) {
        let open = connections.filter { $0.state != .closed }
        for connection in open { connection.close(reset: reset) }
        connections.removeAll()
        control.stats.withLock {
            $0.cutAttempts += 1
            if !open.isEmpty { $0.cuts += 1 }
            $0.connectionsCut += open.count
            $0.activeConnections = 0
        }
    }

    func halfOpen(vanished: VanishedPeer) {
        let open = connections.filter { $0.state == .open }
        for connection in open { connection.vanish(vanished) }
        control.stats.withLock {
            if !open.isEmpty { $0.halfOpens += 1 }
            $0.connectionsHalfOpened += open.count
        }
    }

    func refuse(until: ContinuousClock.Instant) {
        refuseUntil = max(refuseUntil ?? until, until)
        if listener >= 0 {
            // The kernel resets whatever still waits in the accept queue.
            close(listener)
            listener = -1
        }
    }

    func isStalled(_ direction: Direction) -> Bool {
        stalled.union(stallSchedule?.stalled ?? []).contains(direction)
    }

    func shaping(_ direction: Direction) -> Shaping {
        direction == .upstream ? upstreamShaping : downstreamShaping
    }

    func shutDown() {
        for connection in connections { connection.close(reset: true) }
        connections.removeAll()
        if listener >= 0 { close(listener) }
        listener = -1
        control.stats.withLock { $0.activeConnections = 0 }
    }
}
