import ConnectorCore
import Foundation
import Logging
import OutboxStore
import WebSocketTransport

/// Performing what the connection state machine asks for.
extension LinkDriver {
    func perform(_ action: ConnectionAction, _ group: inout DiscardingTaskGroup) {
        switch action {
        case .fetchToken, .refreshToken:
            let tokens = self.tokens
            let inbox = self.inbox
            group.addTask { inbox.yield(.token(await tokens.fetch())) }
        case .openSocket(let request):
            openSocket(request, &group)
        case .send(let frame):
            sendControl(frame)
        case .sendHeartbeat:
            let attempt = self.attempt
            let inbox = self.inbox
            pageReads.backlog { inbox.yield(.heartbeatBacklog(attempt: attempt, $0)) }
        case .startReplay(let start):
            startReplay(start, &group)
        case .stopReplay:
            window.stop()
            heldPageRequests.removeAll()
            waitingForDrain = false
        case .deliver(let frame):
            deliver(frame, &group)
        case .ignoreFrame(let type, let reason):
            logger.notice("ignored a frame from the cloud", metadata: ["frame.type": "\(type)", "reason": "\(reason)"])
        case .closeSocket(let code, let reason):
            closeSocket(code: code, reason: reason, &group)
        case .abandonSocket:
            logger.warning(
                "the socket did not finish closing in time; cutting it and moving on",
                metadata: ["attempt": "\(attempt)"])
            connection?.abort()
            connection = nil
            connectInFlight = false
            // Whatever that socket still reports belongs to an attempt that is over.
            attempt &+= 1
        case .scheduleReconnect(let delay):
            counters.reconnectsScheduled += 1
            logger.info(
                "reconnecting after a pause",
                metadata: [
                    "delay_ms": "\(delay.saturatingNanoseconds / 1_000_000)",
                    "last_error": "\(machine.linkStatus.lastError ?? "none")",
                ])
        case .reportStatus(let status):
            reportStatus(status)
        }
    }

    /// A non-outbox frame at high priority: it overtakes a replay queued in the socket (R8).
    func sendControl(_ frame: OutboundFrame) {
        guard let connection else { return }
        let bytes = frame.encoded(id: UUID().uuidString.lowercased(), timestampMS: SystemWallClock().nowMilliseconds())
        do {
            try connection.send(utf8: bytes, priority: .high)
            logger.trace("sent", metadata: ["frame.type": "\(frame.type)"])
        } catch {
            logger.warning("could not queue a frame", metadata: ["frame.type": "\(frame.type)", "error": "\(error)"])
        }
    }

    func sendHeartbeat(_ attempt: UInt64, _ result: Result<Backlog, OutboxError>) {
        guard attempt == self.attempt, machine.linkStatus.state == .live else { return }
        switch result {
        case .success(let backlog):
            lastBacklog = backlog
            knownLastSeq = max(knownLastSeq, backlog.lastSeq)
            sendControl(.heartbeat(lastSeq: backlog.lastSeq, pending: backlog.pending))
        case .failure(let error):
            // Still beat: the cloud learns the link is alive; the counts are the last ones known.
            logger.error("could not read the backlog for a heartbeat", metadata: ["error": "\(error)"])
            sendControl(.heartbeat(lastSeq: knownLastSeq, pending: lastBacklog?.pending ?? 0))
        }
    }

    func deliver(_ frame: InboundFrame, _ group: inout DiscardingTaskGroup) {
        if case .ack(let seq) = frame {
            counters.acksReceived += 1
            perform(window.ack(seq), &group)
            return
        }
        logger.info("received a request from the cloud", metadata: ["frame.type": "\(frame.type)"])
        onInbound(frame)
    }

    func reportStatus(_ status: LinkStatus) {
        var metadata: Logger.Metadata = ["link.state": "\(status.state.rawValue)"]
        if let session = status.sessionID { metadata["session.id"] = "\(session)" }
        if status.state == .backingOff, let error = status.lastError { metadata["last_error"] = "\(error)" }
        if status.state == .live || status.state == .backingOff || status.state == .stopped {
            logger.notice("link state changed", metadata: metadata)
        } else {
            logger.info("link state changed", metadata: metadata)
        }
        statusDirty = true
    }

    /// At most one status write in flight; the newest state wins.
    func writeStatusIfNeeded() {
        guard statusDirty, !statusInFlight else { return }
        statusDirty = false
        statusInFlight = true
        counters.recorded = counters.shown
        let status = machine.linkStatus
        let nowMS = SystemWallClock().nowMilliseconds()
        let record = LinkStatusRecord(
            state: status.state.rawValue, sessionID: status.sessionID, lastError: status.lastError,
            connectAttempts: Int64(status.connectAttempts), sessions: Int64(status.sessions),
            tokenRefusals: Int64(status.tokenRefusals),
            retryInMS: status.retryIn.map { $0.saturatingNanoseconds / 1_000_000 },
            messagesSent: counters.messagesSent, messagesResent: counters.messagesResent,
            cloudURL: settings.displayWebSocketURL, pid: Int64(getpid()), startedAtMS: startedAtMS,
            updatedAtMS: max(nowMS, startedAtMS))
        let inbox = self.inbox
        store.recordLinkStatus(record) { inbox.yield(.statusRecorded($0)) }
    }
}
