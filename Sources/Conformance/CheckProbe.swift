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

    /// Closes the socket and waits (at most the timeout) until the close completed, as a device
    /// whose connection ended would before it reconnects.
    func close(_ socket: ProbeSocket) async {
        socket.close()
        let deadline = ContinuousClock.now + timeout
        while let arrival = await socket.next(within: deadline - .now) {
            if case .closed = arrival { return }
        }
    }

    /// Sends outbox messages and records them as sent.
    func send(_ messages: [DeviceFrames.Outbox], on socket: ProbeSocket, track: inout AckTrack) throws(CheckStop) {
        for message in messages {
            try socket.send(message.text, what: "\(message.type) seq \(message.seq)")
            track.recordSent(message.seq)
            logger.debug("sent", metadata: ["seq": .stringConvertible(message.seq), "type": .string(message.type), "id": .string(message.id)])
        }
    }

    struct Session {
        let socket: ProbeSocket
        let connectAck: ConnectAck
    }
}
