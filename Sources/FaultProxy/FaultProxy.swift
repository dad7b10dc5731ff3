import Synchronization

/// A TCP proxy on 127.0.0.1 for tests, `tools/soak` and the benchmarks: every accepted connection
/// is forwarded byte for byte to one upstream address (so WebSocket and TLS pass unchanged), and
/// faults are switched on and off at run time or on a schedule.
///
/// One loop thread (poll(2)) owns every socket; the methods below hand it a command and return
/// once it has been applied, so after `cutAll()` returns the connections are already closed.
/// Faults are global: they apply to current and future connections alike. Linux only.
///
/// "Upstream" is the client → upstream direction, "downstream" the upstream → client one.
public final class FaultProxy: Sendable {
    /// The port the proxy listens on, on 127.0.0.1.
    public let port: Int
    private let control: ProxyControl
    private let thread: Mutex<LoopThread?>

    /// Listens on 127.0.0.1 on an ephemeral port and starts forwarding to `upstreamHost` (an IPv4
    /// literal) : `upstreamPort`. Throws if the listening socket cannot be made.
    public init(upstreamHost: String = "127.0.0.1", upstreamPort: Int) throws(FaultProxyError) {
        let upstream = try Socket.address(host: upstreamHost, port: upstreamPort)
        let listener = try Socket.listen(on: try Socket.address(host: "127.0.0.1", port: 0))
        let port: Int
        do { port = try Socket.boundPort(listener) } catch {
            Socket.closeReset(listener)
            throw error
        }
        let control = try ProxyControl()
        let thread: LoopThread
        do {
            // The name lets tests find (and miss, after stop()) this proxy's thread in /proc.
            thread = try LoopThread.start(name: "fproxy-\(port)") {
                ProxyLoop(control: control, listener: listener, port: port, upstream: upstream).run()
            }
        } catch {
            Socket.closeReset(listener)
            control.closeWakePipe()
            throw error
        }
        self.port = port
        self.control = control
        self.thread = Mutex(thread)
    }

    deinit { stop() }

    /// Closes every current connection, both of its sockets: with an RST (SO_LINGER 0) when
    /// `reset`, else with a FIN after discarding unread input (Linux answers a close with unread
    /// input by an RST). Then refuses new connections for `refusingNewFor`, atomically with the
    /// cut, so no client slips in between.
    public func cutAll(reset: Bool = true, refusingNewFor window: Duration = .zero) {
        control.submit(.cut(reset: reset, refuseFor: window))
    }

    /// Closes the listening socket so connects get ECONNREFUSED, and reopens it on the same port
    /// after `window` (extending a refusal already running). Current connections are untouched.
    public func refuseNew(for window: Duration) { control.submit(.refuse(window)) }

    /// Stops forwarding in `direction` until `resume`: sockets stay open, nothing is read or
    /// written, so at most what was already read (one bounded buffer) is held; the kernel's socket
    /// buffers then push back on the sender. FINs and resets are held too: a silent peer.
    public func stall(_ direction: Direction = .both) { control.submit(.stall(direction)) }

    /// Ends a `stall`; held bytes are delivered first, in order.
    public func resume(_ direction: Direction = .both) { control.submit(.resume(direction)) }

    /// Paces writes in `direction` to `bytesPerSecond` on average, in slices of 1/20 s; nil lifts it.
    public func setBandwidth(bytesPerSecond: Int?, direction: Direction = .both) {
        precondition(bytesPerSecond.map { $0 > 0 } ?? true, "bandwidth must be positive")
        control.submit(.bandwidth(bytesPerSecond, direction))
    }

    /// Holds every chunk read in `direction` for `latency` before it may be written; zero lifts it.
    public func setLatency(_ latency: Duration, direction: Direction = .both) {
        precondition(latency >= .zero, "latency must not be negative")
        control.submit(.latency(latency, direction))
    }

    /// While on, new connections are accepted but never connected upstream: whatever the client
    /// sends is read and dropped, nothing ever comes back. Connections accepted meanwhile stay
    /// black-holed until they close or are cut; others are unaffected.
    public func setBlackhole(_ on: Bool) { control.submit(.blackhole(on)) }

    /// Turns every open connection half-open: the `vanished` peer's socket is reset (that peer
    /// sees its connection end, as after a reboot), while the other peer's socket stays open
    /// without a FIN or an RST — whatever it sends is read and dropped and nothing ever comes back,
    /// so it can only notice by its own timeouts (a heartbeat). Bytes held for it are dropped.
    /// New connections are unaffected; `cutAll` also closes half-open ones.
    public func halfOpen(vanished: VanishedPeer = .upstream) { control.submit(.halfOpen(vanished)) }

    /// Cuts all connections (as `cutAll(reset:)`) after each interval drawn uniformly from
    /// `every` with a SplitMix64 generator seeded by `seed`, until `stopSchedule()`. Replaces a
    /// cut schedule already running.
    public func startCutSchedule(every: ClosedRange<Duration>, seed: UInt64, reset: Bool = true) {
        precondition(every.lowerBound > .zero, "cut intervals must be positive")
        control.submit(.cutSchedule(every, seed: seed, reset: reset))
    }

    /// Stalls `direction` for `stall` in every period of `every` (forwarding first, then the
    /// stall), until `stopSchedule()`. Replaces a stall schedule already running.
    public func startStallSchedule(stall: Duration, every: Duration, direction: Direction = .both) {
        precondition(stall > .zero && stall < every, "the stall must be shorter than its period")
        control.submit(.stallSchedule(stall: stall, every: every, direction))
    }

    /// Ends both schedules; a stall the schedule had started ends with it. Manual faults stay.
    public func stopSchedule() { control.submit(.stopSchedules) }

    /// Counters since the start, read at once.
    public var stats: Stats { control.stats.withLock { $0 } }

    /// Resets every connection, closes the listening socket and joins the loop thread. Later
    /// calls of any method do nothing. Called by deinit too.
    public func stop() {
        // Joined under the lock so a concurrent stop() returns only once everything is closed;
        // the loop thread never takes this lock, so the join cannot deadlock.
        thread.withLock { thread in
            guard let running = thread.take() else { return }
            control.requestStop()
            running.join()
            // Only now: until the join, the loop may still read the pipe.
            control.closeWakePipe()
        }
    }
}
