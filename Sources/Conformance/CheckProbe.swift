import Foundation
import Logging
import Synchronization
internal import CloudConnector
internal import ConnectorCore
import WebSocketTransport

/// Everything one check does on the network, as one device of its own: the token, sockets, the
/// handshake, and the waits for what the cloud should answer, each failing with a precise reason.
/// Every socket it opened is closed by `finish()`.
final class CheckProbe: Sendable {
    let configuration: ConformanceConfiguration
    let loop: WebSocketEventLoop
    let deviceID: String
    let logger: Logger
    private let sockets = Mutex<[ProbeSocket]>([])
    private let cachedToken = Mutex<String?>(nil)

    init(configuration: ConformanceConfiguration, loop: WebSocketEventLoop, deviceID: String, logger: Logger) {
        self.configuration = configuration
        self.loop = loop
        self.deviceID = deviceID
        self.logger = logger
    }

    var tenantID: String { configuration.tenantID }
    var timeout: Duration { configuration.timeout }
    var waitText: String { TimeText.format(timeout) }
    var tokenURL: String { Self.below(configuration.endpoint.apiURL, "device-token") }
    var displayTokenURL: String { Self.below(configuration.endpoint.displayAPIURL, "device-token") }

    /// `{api}` may carry a path: endpoints go below it.
    static func below(_ api: String, _ path: String) -> String {
        var base = Substring(api)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + "/" + path
    }

    func finish() {
        for socket in sockets.withLock({ $0 }) { socket.close() }
    }

    // MARK: token (§3.1)

    /// `GET {api}/device-token` with the device's headers, as the connector sends it.
    func requestToken() async throws(CheckStop) -> HTTPClientResponse {
        var headers: HTTPHeaders = [:]
        headers.add(name: "X-Device-Id", value: deviceID)
        headers.add(name: "X-Tenant-Id", value: tenantID)
        headers.add(name: "Accept", value: "application/json")
        if let key = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer " + key.revealed) }
        do throws(TransportError) {
            return try await loop.send(HTTPClientRequest(
                url: tokenURL, headers: headers, tls: configuration.tls, timeout: timeout, maxResponseBytes: 64 << 10))
        } catch .connectFailed(_, let reason) {
            throw .fail("GET \(displayTokenURL) failed to connect: \(reason)")
        } catch {
            throw .fail("GET \(displayTokenURL) failed: \(error)")
        }
    }

    /// A device token, fetched once per check; any other answer ends the check, saying why.
    func token() async throws(CheckStop) -> String {
        if let token = cachedToken.withLock({ $0 }) { return token }
        let response = try await requestToken()
        switch TokenReview.judge(status: response.status, body: response.body) {
        case .token(let token, _):
            cachedToken.withLock { $0 = token }
            return token
        case .refused(let status):
            throw .fail(
                "GET \(displayTokenURL) answered HTTP \(status), so no device token to check with: the kit plays device \(deviceID) in tenant \(tenantID); give the API key (--api-key or CLOUD_API_KEY) or a --tenant-id the cloud accepts")
        case .invalid(let why):
            throw .fail("GET \(displayTokenURL) \(why) (§3.1)")
        }
    }

    // MARK: sockets

    /// Opens the WebSocket with the device's headers; the transport's error when it could not.
    func open(token: String, tenant: String? = nil) async -> Result<ProbeSocket, TransportError> {
        var headers: HTTPHeaders = [:]
        headers.add(name: "Authorization", value: "Bearer " + token)
        headers.add(name: "X-Device-Id", value: deviceID)
        headers.add(name: "X-Tenant-Id", value: tenant ?? tenantID)
        let client = WebSocketClientConfiguration(
            url: configuration.endpoint.webSocketURL, headers: headers, tls: configuration.tls, connectTimeout: timeout,
            maxMessageBytes: InboundEnvelope.maxFrameBytes)
        do {
            let socket = ProbeSocket.start(try await loop.connect(client))
            sockets.withLock { $0.append(socket) }
            return .success(socket)
        } catch {
            return .failure(error)
        }
    }

    func openOrFail(token: String) async throws(CheckStop) -> ProbeSocket {
        switch await open(token: token) {
        case .success(let socket): return socket
        case .failure(.upgradeRefused(_, let status)):
            throw .fail("the WebSocket upgrade with a fresh device token was refused with HTTP \(status) (§3.2)")
        case .failure(.connectFailed(_, let reason)):
            throw .fail("opening the WebSocket \(configuration.endpoint.displayWebSocketURL) failed: \(reason)")
        case .failure(let error):
            throw .fail("opening the WebSocket failed: \(error)")
        }
    }

    /// A live session: token, socket, `connect`, and a `connect_ack` the connector accepts.
    func session(lastSeq: Int64 = 0) async throws(CheckStop) -> Session {
        let token = try await token()
        let socket = try await openOrFail(token: token)
        try socket.send(DeviceFrames.connect(deviceID: deviceID, tenantID: tenantID, token: token, lastSeq: lastSeq), what: "connect")
        let ack = try await connectAck(on: socket)
        logger.debug("session accepted", metadata: ["session.id": .string(ack.sessionID), "acked_seq": .stringConvertible(ack.ackedSeq)])
        return Session(socket: socket, connectAck: ack)
    }

    struct Session {
        let socket: ProbeSocket
        let connectAck: ConnectAck
    }

    // MARK: waits

    /// The `connect_ack` that answers `connect`.
    func connectAck(on socket: ProbeSocket) async throws(CheckStop) -> ConnectAck {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.connectAck(let ack))?:
                return ack
            case .frame(.error(let error))?:
                throw .fail("answered connect with error \(error.code) (\(error.message)) instead of connect_ack (§3.4)")
            case .malformed(let type, let reason)? where type == "connect_ack":
                throw .fail("sent a connect_ack the connector cannot use: \(reason) (§3.4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("the connection ended (\(closure)) instead of a connect_ack (§3.4)")
            case nil:
                throw .fail("no connect_ack within \(waitText) of connect (§3.4)")
            }
        }
    }

    /// Reads acks until one covers `seq`. With `judged`, each ack is held to R5 (`AckTrack`) and
    /// the first that breaks it ends the check; otherwise acks only count toward `seq`. `because`
    /// ends the failure text when no such ack comes: why the cloud owed it.
    func ack(
        covering seq: Int64, on socket: ProbeSocket, track: inout AckTrack, judged: Bool = false,
        because: String = "every message is acked once stored (R5)"
    ) async throws(CheckStop) {
        let deadline = ContinuousClock.now + timeout
        while !track.covers(seq) {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                let violation = track.recordAck(acked)
                if judged, let violation { throw .fail(violation) }
            case .frame(.error(let error))?:
                throw .fail("sent seq \(SeqText.list(track.sent)), got error \(error.code) (\(error.message)) instead of an ack covering seq \(seq): \(because)")
            case .malformed(let type, let reason)? where type == "ack":
                throw .fail("sent an ack the connector cannot use: \(reason) (§4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("sent seq \(SeqText.list(track.sent)), the connection ended (\(closure)) before an ack covering seq \(seq) (\(ackedText(track))): \(because)")
            case nil:
                throw .fail("sent seq \(SeqText.list(track.sent)), no ack covering seq \(seq) within \(waitText) (\(ackedText(track))): \(because)")
            }
        }
    }

    /// The next `ack` frame's seq, whatever it is; `after` says what it answers, for the failure.
    func nextAck(on socket: ProbeSocket, after: String, because: String) async throws(CheckStop) -> Int64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                return acked
            case .frame(.error(let error))?:
                throw .fail("\(after), got error \(error.code) (\(error.message)) instead of an ack: \(because)")
            case .malformed(let type, let reason)? where type == "ack":
                throw .fail("sent an ack the connector cannot use: \(reason) (§4)")
            case .frame, .malformed:
                continue
            case .closed(let closure)?:
                throw .fail("\(after), the connection ended (\(closure)) instead of an ack: \(because)")
            case nil:
                throw .fail("\(after), no ack within \(waitText): \(because)")
            }
        }
    }

    /// What the cloud did after a bad frame and the probe message that follows it.
    func afterBadFrame(_ socket: ProbeSocket, probeSeq: Int64, track: inout AckTrack) async -> BadFrameReview.After {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.ack(let acked))?:
                _ = track.recordAck(acked)
                if track.covers(probeSeq) { return .probeAcked }
            case .closed(let closure)?:
                return .closed(closure)
            case nil:
                return .silent
            case .frame, .malformed:
                continue
            }
        }
    }

    /// What the cloud did after a `connect` it should refuse, up to the close or the timeout.
    func refusal(on socket: ProbeSocket) async -> RefusalReview.Observed {
        var observed = RefusalReview.Observed(waited: waitText)
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await socket.next(within: deadline - .now) {
            case .frame(.error(let error))?:
                observed.errorCodes.append(error.code)
            case .frame(.connectAck)?:
                observed.acceptedWithConnectAck = true
                return observed
            case .closed(let closure)?:
                observed.closure = closure
                return observed
            case nil:
                return observed
            case .frame, .malformed:
                continue
            }
        }
    }

    /// Closes the socket and waits (at most the timeout) until the close completed, as a device
    /// whose connection ended would before it reconnects.
    func close(_ socket: ProbeSocket) async {
        socket.close()
        let deadline = ContinuousClock.now + timeout
        while let arrival = await socket.next(within: deadline - .now) {
            if case .closed = arrival { return }
        }
    }

    private func ackedText(_ track: AckTrack) -> String {
        track.acks.isEmpty ? "no ack at all" : "highest ack \(track.highestAck)"
    }

    /// Sends outbox messages and records them as sent.
    func send(_ messages: [DeviceFrames.Outbox], on socket: ProbeSocket, track: inout AckTrack) throws(CheckStop) {
        for message in messages {
            try socket.send(message.text, what: "\(message.type) seq \(message.seq)")
            track.recordSent(message.seq)
            logger.debug("sent", metadata: ["seq": .stringConvertible(message.seq), "type": .string(message.type), "id": .string(message.id)])
        }
    }

    /// Waits `period` and returns the acks that arrive meanwhile, so an answer to something earlier
    /// (a second ack for one burst) is not mistaken for the answer to what is sent next.
    func settle(_ socket: ProbeSocket, for period: Duration = .milliseconds(200)) async -> [Int64] {
        var acks: [Int64] = []
        let deadline = ContinuousClock.now + period
        while ContinuousClock.now < deadline {
            guard let arrival = await socket.next(within: deadline - .now) else { break }
            if case .frame(.ack(let seq)) = arrival { acks.append(seq) }
            if case .closed = arrival {
                // Left for the next wait to report.
                await socket.inbox.deliver(arrival)
                break
            }
        }
        return acks
    }

    // MARK: counts (not on the wire)

    enum Counts {
        case counted(JSONValue)
        case notObservable(String)
    }

    /// `GET {api}/admin/devices/{id}/counts`, which the reference cloud serves; other clouds need not.
    func counts() async -> Counts {
        let escaped = deviceID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? deviceID
        let path = "admin/devices/\(escaped)/counts"
        var headers: HTTPHeaders = [:]
        headers.add(name: "Accept", value: "application/json")
        if let key = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer " + key.revealed) }
        let response: HTTPClientResponse
        do {
            response = try await loop.send(HTTPClientRequest(
                url: Self.below(configuration.endpoint.apiURL, path), headers: headers, tls: configuration.tls, timeout: timeout))
        } catch {
            return .notObservable("GET {api}/\(path) failed (\(error))")
        }
        guard response.status == 200 else { return .notObservable("GET {api}/\(path) answered HTTP \(response.status)") }
        guard let body = try? JSON.parse(response.body), body.objectValue != nil else {
            return .notObservable("GET {api}/\(path) answered 200 without a JSON object")
        }
        return .counted(body)
    }
}
