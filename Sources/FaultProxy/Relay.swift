/// One direction of a connection: the bytes read from its source and not yet written to its
/// destination, in the order read, each chunk stamped with when it may go out (latency).
/// Owned by the loop thread.
final class Relay {
    struct Chunk {
        var bytes: [UInt8]
        var offset = 0
        let releaseAt: ContinuousClock.Instant
    }

    /// The most a relay holds: the proxy buffers nothing beyond this per direction.
    static let capacity = 256 * 1024

    let direction: Direction
    private var chunks: [Chunk] = []
    /// Chunks before this index are sent; compacted now and then so popping stays O(1).
    private var head = 0
    private(set) var queued = 0
    /// The source said EOF; once drained, a FIN goes to the destination.
    var sourceClosed = false
    /// That FIN went out: this direction is finished.
    var finished = false
    /// The last write would have blocked: wait for POLLOUT before trying again.
    var writeBlocked = false
    /// Bandwidth pacing: no write before this instant.
    var nextWriteAt: ContinuousClock.Instant

    init(direction: Direction, now: ContinuousClock.Instant) {
        self.direction = direction
        nextWriteAt = now
    }

    var room: Int { Relay.capacity - queued }
    var first: Chunk? { head < chunks.count ? chunks[head] : nil }

    func append(_ bytes: [UInt8], releaseAt: ContinuousClock.Instant) {
        chunks.append(Chunk(bytes: bytes, releaseAt: releaseAt))
        queued += bytes.count
    }

    /// Marks `count` bytes of the first chunk as written.
    func consume(_ count: Int) {
        chunks[head].offset += count
        queued -= count
        if chunks[head].offset == chunks[head].bytes.count {
            head += 1
            if head == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= chunks.count {
                chunks.removeFirst(head)
                head = 0
            }
        }
    }
}

/// One accepted client and its upstream socket.
final class ProxiedConnection {
    enum State {
        /// The upstream connect is in progress; nothing is read yet.
        case connecting
        case open
        /// Accepted while black-holed (no upstream), or made half-open: one socket is left, its
        /// bytes are read and dropped and nothing is written to it.
        case blackholed
        case closed
    }

    /// -1 once the client vanished (half-open).
    var client: Int32
    /// -1 until connected, and once the upstream vanished (half-open).
    var upstream: Int32 = -1
    var state: State
    let toUpstream: Relay
    let toClient: Relay

    init(client: Int32, state: State, now: ContinuousClock.Instant) {
        self.client = client
        self.state = state
        toUpstream = Relay(direction: .upstream, now: now)
        toClient = Relay(direction: .downstream, now: now)
    }

    /// The (source, destination) descriptors of a relay.
    func ends(of relay: Relay) -> (source: Int32, destination: Int32) {
        relay === toUpstream ? (client, upstream) : (upstream, client)
    }

    /// The socket a black-holed connection still has.
    var remaining: Int32 { client >= 0 ? client : upstream }

    /// Resets the vanished peer's socket and leaves the other one silent (see `FaultProxy.halfOpen`).
    func vanish(_ peer: VanishedPeer) {
        guard state == .open else { return }
        if peer == .upstream {
            Socket.closeReset(upstream)
            upstream = -1
        } else {
            Socket.closeReset(client)
            client = -1
        }
        state = .blackholed
    }

    /// Closes both sockets, with an RST or a FIN; idempotent.
    func close(reset: Bool) {
        guard state != .closed else { return }
        state = .closed
        for fd in [client, upstream] where fd >= 0 {
            if reset { Socket.closeReset(fd) } else { Socket.closeGracefully(fd) }
        }
    }
}
