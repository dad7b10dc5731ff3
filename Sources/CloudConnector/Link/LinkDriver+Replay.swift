import ConnectorCore
import Logging
import OutboxStore
import WebSocketTransport

/// The outbox dispatcher: the replay window's actions against the store and the socket.
extension LinkDriver {
    func startReplay(_ start: ReplayStart, _ group: inout DiscardingTaskGroup) {
        let state: SequenceState
        do {
            state = try reader.sequenceState()
        } catch {
            logger.error("could not read the outbox to start the replay; reconnecting", metadata: ["error": "\(error)"])
            closeSocket(code: .goingAway, reason: "store unreadable", &group)
            return
        }
        // Acks of the previous connection not yet written are superseded by this acked_seq.
        ackToRecord = nil
        knownLastSeq = max(knownLastSeq, state.lastSeq)
        logger.notice(
            "session started; replaying everything the cloud has not acked",
            metadata: [
                "session.id": "\(start.sessionID)", "seq.cloud_acked": "\(start.ackedSeq)",
                "seq.store_acked": "\(state.ackedSeq)", "seq.last": "\(state.lastSeq)",
                "max_inflight": "\(start.maxInflight)",
            ])
        var ackedSeq = start.ackedSeq
        if settings.faults.contains(.skipResend) { ackedSeq = max(ackedSeq, min(highestSentSeq, state.lastSeq)) }
        perform(
            window.start(
                ackedSeq: ackedSeq, lastAssignedSeq: state.lastSeq, storeAckedSeq: state.ackedSeq,
                maxInflight: start.maxInflight),
            &group)
    }

    func perform(_ actions: [ReplayAction<StoredMessage>], _ group: inout DiscardingTaskGroup) {
        for action in actions {
            switch action {
            case .advanceSequence(let past, let lastAssigned):
                logger.critical(
                    "the cloud holds seqs this device never assigned (its store was lost or replaced); new messages continue above them (R7)",
                    metadata: ["seq.last_assigned": "\(lastAssigned)", "seq.cloud_acked": "\(past)"])
            case .rewindAcked where settings.faults.contains(.ignoreRewind):
                continue
            case .rewindAcked(let from, let to):
                logger.critical(
                    "the cloud acknowledges less than before (its store was lost or restored); resending what this device still holds (R7)",
                    metadata: ["seq.store_acked": "\(from)", "seq.cloud_acked": "\(to)"])
                rewindInFlight = true
                let inbox = self.inbox
                store.rewindAcknowledged(to: to) { inbox.yield(.rewindRecorded($0)) }
            case .markAcked(let seq):
                recordAck(seq)
            case .fetchPage(let request):
                if rewindInFlight {
                    // The page reads the store's cursor too: wait until the rewind is durable.
                    heldPageRequests.append(request)
                } else {
                    readPage(request)
                }
            case .send(let messages):
                send(messages)
            case .reportAnomaly(let anomaly):
                logger.warning("replay anomaly", metadata: ["anomaly": "\(anomaly)"])
            }
        }
    }

    func readPage(_ request: PageRequest) {
        let inbox = self.inbox
        pageReads.page(request) { inbox.yield(.pageRead(request, $0)) }
    }

    func pageRead(_ request: PageRequest, _ result: Result<[StoredMessage], OutboxError>, _ group: inout DiscardingTaskGroup) {
        switch result {
        case .success(let page):
            perform(window.pageLoaded(page, for: request), &group)
        case .failure(let error):
            logger.error("could not read pending messages; retrying in 1 s", metadata: ["error": "\(error)"])
            window.pageFailed(request)
            post(.retryPageRead, after: .seconds(1), &group)
        }
    }

    /// One batch per turn of the loop, and only while the socket's queue has room: a slow network
    /// holds the replay in the store, not in memory.
    func pump(_ group: inout DiscardingTaskGroup) {
        guard let connection, !draining else { return }
        if connection.sendQueueStatus.bytes > settings.sendQueueHighWater {
            waitingForDrain = true
            let attempt = self.attempt
            let inbox = self.inbox
            let lowWater = settings.sendQueueHighWater / 2
            group.addTask {
                await connection.waitForSendQueue(atMostBytes: lowWater)
                inbox.yield(.sendQueueDrained(attempt: attempt))
            }
            return
        }
        perform(window.nextBatch(), &group)
    }

    func send(_ messages: [StoredMessage]) {
        guard let connection else { return }
        let ordered = settings.faults.contains(.reverseBatches) ? Array(messages.reversed()) : messages
        for message in ordered {
            do {
                try connection.send(utf8: message.envelope, priority: .normal)
            } catch {
                // The window counts it in flight; only a reconnect resends it, so force one.
                logger.error(
                    "could not queue an outbox message; reconnecting to resend it",
                    metadata: ["seq": "\(message.seq)", "error": "\(error)"])
                connection.abort()
                return
            }
            counters.messagesSent += 1
            if message.seq <= highestSentSeq {
                counters.messagesResent += 1
            } else {
                highestSentSeq = message.seq
            }
            logger.trace("sent", metadata: ["seq": "\(message.seq)", "message.id": "\(message.id)"])
        }
    }

    /// Acks are cumulative: one write in flight, the highest seen waits for it.
    func recordAck(_ seq: Int64) {
        if ackInFlight {
            ackToRecord = max(ackToRecord ?? 0, seq)
            return
        }
        ackInFlight = true
        let inbox = self.inbox
        store.acknowledge(through: seq) { inbox.yield(.ackRecorded($0)) }
    }

    func ackRecorded(_ result: Result<AckOutcome, OutboxError>) {
        ackInFlight = false
        switch result {
        case .success(let outcome):
            if let jumpedFrom = outcome.jumpedFrom {
                logger.critical(
                    "moved this store's next seq past the cloud's ack (R7)",
                    metadata: ["seq.last_assigned": "\(jumpedFrom)", "seq.next": "\(outcome.ackedSeq + 1)"])
            }
        case .failure(let error):
            // The cloud holds the messages; a lost ack record only means they are resent and
            // deduplicated after a restart.
            logger.error("could not record the cloud's ack", metadata: ["error": "\(error)"])
        }
        if let next = ackToRecord {
            ackToRecord = nil
            recordAck(next)
        }
    }

    func rewindRecorded(_ result: Result<AckRewind?, OutboxError>, _ group: inout DiscardingTaskGroup) {
        rewindInFlight = false
        switch result {
        case .success(let rewind?) where rewind.unrecoverableSeqs > 0:
            logger.critical(
                "the cloud lost messages that retention had already pruned; they cannot be resent",
                metadata: ["seq.from": "\(rewind.toSeq + 1)", "seq.through": "\(rewind.prunedThrough)"])
        case .success:
            break
        case .failure(let error):
            logger.error("could not rewind the delivery cursor; reconnecting to try again", metadata: ["error": "\(error)"])
            heldPageRequests.removeAll()
            closeSocket(code: .goingAway, reason: "store unwritable", &group)
            return
        }
        let held = heldPageRequests
        heldPageRequests.removeAll()
        held.forEach(readPage)
    }

    /// Another process (or this one) committed: tell the window how far the log goes now.
    func storeChanged(_ group: inout DiscardingTaskGroup) {
        guard let lastSeq = try? reader.lastAssignedSeq(), lastSeq > window.knownLastSeq else { return }
        knownLastSeq = max(knownLastSeq, lastSeq)
        perform(window.appended(lastSeq: lastSeq), &group)
    }
}
