import ConnectorCore
import Foundation
import Logging
import OutboxStore
import WebSocketTransport

/// The socket's lifecycle: opening, its events, closing.
extension LinkDriver {
    func openSocket(_ request: SocketRequest, _ group: inout DiscardingTaskGroup) {
        attempt &+= 1
        connectInFlight = true
        let attempt = self.attempt
        var headers: HTTPHeaders = [:]
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let configuration = WebSocketClientConfiguration(
            url: settings.webSocketURL, headers: headers, tls: settings.tls,
            connectTimeout: settings.connection.handshakeTimeout,
            maxMessageBytes: InboundEnvelope.maxFrameBytes)
        logger.info("connecting", metadata: ["url": "\(settings.displayWebSocketURL)", "attempt": "\(attempt)"])
        let loop = self.loop
        let inbox = self.inbox
        group.addTask {
            let connection: WebSocketConnection
            do throws(TransportError) {
                connection = try await loop.connect(configuration)
            } catch {
                inbox.yield(.socketFailed(attempt: attempt, reason: "\(error)", refusedWith: LinkDriver.closeCode(forRefusal: error)))
                return
            }
            inbox.yield(.socketConnected(attempt: attempt, connection))
            for await event in connection.events {
                inbox.yield(.socketEvent(attempt: attempt, event))
            }
        }
    }

    /// A cloud may refuse at the upgrade instead of in the socket: HTTP 401 means the token is no
    /// good (fetch a new one, as after close 4401), 403 that the device is not allowed (the long
    /// backoff, as after 4403).
    static func closeCode(forRefusal error: TransportError) -> UInt16? {
        guard case .upgradeRefused(_, let status) = error else { return nil }
        switch status {
        case 401: return CloseCode.unauthorized.rawValue
        case 403: return CloseCode.forbidden.rawValue
        default: return nil
        }
    }

    func socketConnected(_ attempt: UInt64, _ connection: WebSocketConnection, _ group: inout DiscardingTaskGroup) {
        guard attempt == self.attempt, connectInFlight else {
            // An attempt given up on (handshake timeout, shutdown) that connected after all.
            connection.close(code: .normal, reason: "superseded")
            return
        }
        connectInFlight = false
        self.connection = connection
        let lastSeq: Int64
        do {
            lastSeq = try reader.lastAssignedSeq()
        } catch {
            // resume.last_seq must not understate what was assigned; without it, try again later.
            logger.error("could not read the last seq for connect; closing this attempt", metadata: ["error": "\(error)"])
            connection.close(code: .goingAway, reason: "store unreadable")
            return
        }
        knownLastSeq = max(knownLastSeq, lastSeq)
        feed(.socketOpened(lastSeq: lastSeq), &group)
    }

    func socketEvent(_ event: WebSocketEvent, _ group: inout DiscardingTaskGroup) {
        switch event {
        case .opened, .pong:
            break
        case .text(let text):
            do {
                let envelope = try InboundEnvelope.decode(text)
                logger.trace("received", metadata: ["frame.type": "\(envelope.frame.type)"])
                feed(.frame(envelope.frame), &group)
            } catch {
                invalidFrame(error, &group)
            }
        case .binary(let byteCount):
            invalidFrame(.binaryFrame(byteCount: byteCount), &group)
        case .oversized(let byteCount, let isBinary):
            invalidFrame(
                isBinary ? .binaryFrame(byteCount: byteCount) : .tooLarge(byteCount: byteCount, limit: InboundEnvelope.maxFrameBytes),
                &group)
        case .closed(let closure):
            connection = nil
            waitingForDrain = false
            logger.notice("connection closed", metadata: ["closure": "\(closure)"])
            let reason: String
            switch closure {
            case .byPeer(_, let text), .byUs(_, let text): reason = text
            case .failed(let text): reason = text
            }
            feed(.socketClosed(code: closure.code?.rawValue, reason: reason), &group)
        }
    }

    /// R15: logged and dropped; the state machine counts a run of them.
    func invalidFrame(_ error: FrameDecodeError, _ group: inout DiscardingTaskGroup) {
        counters.invalidFrames += 1
        logger.warning("dropped a malformed frame from the cloud", metadata: ["reason": "\(error)"])
        feed(.invalidFrame(error), &group)
    }

    func closeSocket(code: CloseCode, reason: String, _ group: inout DiscardingTaskGroup) {
        if let connection {
            connection.close(code: WebSocketCloseCode(code.rawValue), reason: reason)
            post(.closeTimedOut(attempt: attempt), after: settings.closeTimeout, &group)
        } else if connectInFlight {
            // Nothing to close yet: give the attempt up; if it connects later it is closed at once.
            connectInFlight = false
            attempt &+= 1
            feed(.socketClosed(code: nil, reason: "attempt abandoned"), &group)
        }
    }
}
