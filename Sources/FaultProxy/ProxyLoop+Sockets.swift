import Glibc

/// The socket side of the loop: accepting, forwarding through the relays, and what to poll for.
extension ProxyLoop {
    func acceptPending(now: ContinuousClock.Instant) {
        guard listener >= 0 else { return }
        while true {
            let client: Int32
            switch Socket.accept(listener) {
            case .connection(let fd): client = fd
            case .none: return
            case .failed:
                acceptPausedUntil = now + .milliseconds(100)
                return
            }
            Socket.setNoDelay(client)
            control.stats.withLock { $0.connectionsAccepted += 1 }
            if blackhole {
                connections.append(ProxiedConnection(client: client, state: .blackholed, now: now))
                continue
            }
            guard let upstream = try? Socket.tcp() else {
                dropUnconnected(client)
                continue
            }
            Socket.setNoDelay(upstream)
            guard Socket.startConnect(upstream, to: upstreamAddress) == 0 else {
                close(upstream)
                dropUnconnected(client)
                continue
            }
            let connection = ProxiedConnection(client: client, state: .connecting, now: now)
            connection.upstream = upstream
            connections.append(connection)
        }
    }

    /// The upstream could not be reached: the client gets an RST, as from a dead backend.
    func dropUnconnected(_ client: Int32) {
        Socket.closeReset(client)
        control.stats.withLock { $0.upstreamConnectFailures += 1 }
    }

    func handleEvents(_ pollSet: [pollfd], now: ContinuousClock.Instant) {
        if pollSet[0].revents != 0 { control.drainWakes() }
        if pollSet[1].fd >= 0, pollSet[1].revents != 0 { acceptPending(now: now) }
        // Entries 2 and up are (client, upstream) pairs for the connections polled, in order;
        // connections accepted just now come after them.
        for index in 0..<min(connections.count, (pollSet.count - 2) / 2) {
            let connection = connections[index]
            guard connection.state == .connecting, pollSet[3 + 2 * index].revents != 0 else { continue }
            if Socket.pendingError(connection.upstream) == 0 {
                connection.state = .open
            } else {
                connection.close(reset: true)
                control.stats.withLock { $0.upstreamConnectFailures += 1 }
            }
        }
    }

    /// Moves what can move now on one connection.
    func service(_ connection: ProxiedConnection, now: ContinuousClock.Instant) {
        switch connection.state {
        case .connecting, .closed: return
        case .blackholed:
            switch discardInput(connection.remaining) {
            case .pending: break
            case .closed: connection.close(reset: false)
            case .failed: connection.close(reset: true)
            }
        case .open:
            for relay in [connection.toUpstream, connection.toClient] where !isStalled(relay.direction) {
                guard pump(relay, of: connection, now: now) else {
                    // A reset or error on either side: pass it on as a reset.
                    connection.close(reset: true)
                    return
                }
            }
            if connection.toUpstream.finished && connection.toClient.finished { connection.close(reset: false) }
        }
    }

    enum InputState { case pending, closed, failed }

    func discardInput(_ fd: Int32) -> InputState {
        while true {
            let count = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { continue }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .pending
            default: return .failed
            }
        }
    }

    /// Reads what fits into `relay`, writes what is due; false when a socket failed.
    func pump(_ relay: Relay, of connection: ProxiedConnection, now: ContinuousClock.Instant) -> Bool {
        let (source, destination) = connection.ends(of: relay)
        let shaping = shaping(relay.direction)
        while !relay.sourceClosed && relay.room > 0 {
            let room = relay.room
            let count = readBuffer.withUnsafeMutableBytes {
                recv(source, $0.baseAddress, min($0.count, room), Int32(MSG_DONTWAIT))
            }
            if count > 0 {
                relay.append(Array(readBuffer[0..<count]), releaseAt: now + shaping.latency)
            } else if count == 0 {
                relay.sourceClosed = true
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                return false
            }
        }
        relay.writeBlocked = false
        while let chunk = relay.first, chunk.releaseAt <= now,
            shaping.bytesPerSecond == nil || relay.nextWriteAt <= now
        {
            var length = chunk.bytes.count - chunk.offset
            // Pacing in slices of 1/20 s keeps the rate smooth without a timer per byte.
            if let rate = shaping.bytesPerSecond { length = min(length, max(1, rate / 20)) }
            let written = chunk.bytes.withUnsafeBytes {
                send(destination, $0.baseAddress! + chunk.offset, length, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if written > 0 {
                relay.consume(written)
                control.stats.withLock {
                    if relay.direction == .upstream { $0.bytesUpstream += written } else { $0.bytesDownstream += written }
                }
                if let rate = shaping.bytesPerSecond {
                    let spacing = Duration.nanoseconds(Int64(written) * 1_000_000_000 / Int64(rate))
                    relay.nextWriteAt = max(relay.nextWriteAt, now) + spacing
                }
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                relay.writeBlocked = true
                break
            }
            return false
        }
        if relay.sourceClosed && relay.queued == 0 && !relay.finished {
            // Half-close passes through: the peer may keep talking the other way.
            shutdown(destination, Int32(SHUT_WR))
            relay.finished = true
        }
        return true
    }

    /// Fills `pollSet` (wake pipe, listener, then a client/upstream pair per connection; -1 for
    /// "not interested", so a stalled socket's hang-up cannot spin the loop) and returns poll's
    /// timeout in milliseconds: until the nearest timer, or -1 for none.
    func fillPollSet(_ pollSet: inout [pollfd], now: ContinuousClock.Instant) -> Int32 {
        pollSet.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: control.wakeReader, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: acceptPausedUntil == nil ? listener : -1, events: Int16(POLLIN), revents: 0))
        var deadline = [refuseUntil, acceptPausedUntil, cutSchedule?.next, stallSchedule?.next].compactMap { $0 }.min()
        for connection in connections {
            var clientEvents: Int32 = 0
            var upstreamEvents: Int32 = 0
            switch connection.state {
            case .connecting: upstreamEvents = POLLOUT
            case .blackholed:
                if connection.client >= 0 { clientEvents = POLLIN } else { upstreamEvents = POLLIN }
            case .closed: break
            case .open:
                for relay in [connection.toUpstream, connection.toClient] where !isStalled(relay.direction) {
                    var sourceEvents: Int32 = 0
                    var destinationEvents: Int32 = 0
                    if !relay.sourceClosed && relay.room > 0 { sourceEvents = POLLIN }
                    if relay.writeBlocked {
                        destinationEvents = POLLOUT
                    } else if let chunk = relay.first {
                        var due = chunk.releaseAt
                        if shaping(relay.direction).bytesPerSecond != nil { due = max(due, relay.nextWriteAt) }
                        deadline = min(deadline ?? due, due)
                    }
                    if relay === connection.toUpstream {
                        clientEvents |= sourceEvents
                        upstreamEvents |= destinationEvents
                    } else {
                        upstreamEvents |= sourceEvents
                        clientEvents |= destinationEvents
                    }
                }
            }
            pollSet.append(pollfd(fd: clientEvents == 0 ? -1 : connection.client, events: Int16(clientEvents), revents: 0))
            pollSet.append(pollfd(fd: upstreamEvents == 0 ? -1 : connection.upstream, events: Int16(upstreamEvents), revents: 0))
        }
        guard let deadline else { return -1 }
        let nanoseconds = (deadline - now).nanoseconds
        if nanoseconds <= 0 { return 0 }
        return Int32(clamping: (nanoseconds + 999_999) / 1_000_000)
    }
}
