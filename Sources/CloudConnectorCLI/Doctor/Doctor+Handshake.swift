import CloudConnector
import ConnectorCore
import Foundation
import WebSocketTransport

/// The WebSocket handshake (PROTOCOL §3.2–3.4), only on request: a second session for this device
/// can end the running service's session on clouds that allow one per device.
extension Doctor {
    /// What came back after `connect`.
    enum HandshakeReply {
        case acknowledged(ConnectAck)
        case refused(CloudError)
        case closed(WebSocketClosure)
        case timedOut
    }

    mutating func checkHandshake(cloud: CloudEndpoint, configuration: ConnectorConfiguration, loop: WebSocketEventLoop) async {
        guard options.handshake else {
            add(.skipped(
                "websocket",
                "Not tried: a second session for this device makes many clouds (the reference cloud too) close the session the running service holds, and it then reconnects. Pass --handshake to open the WebSocket, send connect and wait for connect_ack (best with the service stopped)."))
            return
        }
        guard let identity, let answer = tokenAnswer, case .issued(let token, _) = answer.outcome else {
            add(.skipped("websocket", "Not tried: there is no device token to open it with (see device_token)."))
            return
        }
        let request = SocketRequest(deviceID: identity.deviceID, tenantID: identity.tenantID, token: token)
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let connection: WebSocketConnection
        do {
            connection = try await loop.connect(WebSocketClientConfiguration(
                url: cloud.webSocketURL, headers: headers,
                tls: TLSConfiguration(caFile: configuration.caFile, allowInsecure: configuration.tlsInsecure),
                connectTimeout: options.networkTimeout, maxMessageBytes: InboundEnvelope.maxFrameBytes))
        } catch {
            add(Self.upgradeFinding(error, url: cloud.displayWebSocketURL, who: identity))
            return
        }
        let contents = inspection?.contents
        let connect = OutboundFrame.connect(ConnectPayload(
            deviceID: identity.deviceID, tenantID: identity.tenantID, token: token,
            agent: AgentInfo(name: "cloud-connector-doctor", version: ConnectorVersion.current),
            lastSeq: contents?.sequence.lastSeq ?? 0))
        try? connection.send(utf8: connect.encoded(id: UUID().uuidString.lowercased(), timestampMS: Self.nowMS), priority: .high)
        let reply = await Self.firstReply(on: connection, within: options.networkTimeout)
        connection.close(code: .normal, reason: "doctor done")
        await Self.waitForClose(connection, within: .seconds(3))
        add(Self.handshakeFinding(
            reply, url: cloud.displayWebSocketURL, who: identity, lastSeq: contents?.sequence.lastSeq,
            ackedSeq: contents?.sequence.ackedSeq, serviceRunning: serviceRunning, secrets: secrets))
    }

    static func upgradeFinding(_ error: TransportError, url: String, who: DeviceIdentity) -> DoctorFinding {
        switch error {
        case .upgradeRefused(_, 401):
            return .problem(
                "websocket",
                "\(url) refused the upgrade with HTTP 401 although the cloud has just issued the token: it does not accept its own tokens at the WebSocket (a cloud-side fault, or another token endpoint than the WebSocket's cloud: check CLOUD_API_URL).")
        case .upgradeRefused(_, 403):
            return .problem(
                "websocket",
                "\(url) refused the upgrade with HTTP 403: device \(who.deviceID) in tenant \(who.tenantID) is not allowed on the WebSocket. Register it with the cloud, or check TENANT_ID.")
        default:
            return .problem(
                "websocket",
                "The WebSocket to \(url) did not open: \(error). The link opens it the same way, so it cannot connect either; if only this fails while device_token works, check that CLOUD_WS_URL's host, port and path are the cloud's WebSocket endpoint.")
        }
    }

    static func handshakeFinding(
        _ reply: HandshakeReply, url: String, who: DeviceIdentity, lastSeq: Int64?, ackedSeq: Int64?, serviceRunning: Bool,
        secrets: [String]
    ) -> DoctorFinding {
        let kicked = serviceRunning ? " The running service's session may have been closed by this one; it reconnects by itself." : ""
        switch reply {
        case .acknowledged(let ack):
            if let tenant = ack.tenantID, tenant != who.tenantID {
                return .problem(
                    "websocket",
                    "connect_ack names tenant \(tenant), but this device serves tenant \(who.tenantID): the link closes such a session (4403, R12) and backs off. Set TENANT_ID to the tenant the cloud has for device \(who.deviceID), or fix the device's tenant on the cloud.\(kicked)")
            }
            let details: [(String, JSONValue)] = [
                ("cloud_acked_seq", .int(ack.ackedSeq)), ("device_last_seq", .int(lastSeq)), ("device_acked_seq", .int(ackedSeq)),
                ("heartbeat_interval_ms", .int(ack.heartbeatInterval.inMilliseconds)), ("max_inflight", .int(ack.maxInflight)),
            ]
            let settings = "heartbeat every \(DurationText.format(milliseconds: ack.heartbeatInterval.inMilliseconds)), at most \(ack.maxInflight) in flight"
            if let lastSeq, ack.ackedSeq > lastSeq {
                return .warning(
                    "websocket",
                    "connect_ack arrived (\(settings)), and the cloud holds seqs up to \(ack.ackedSeq) for this device, beyond the \(lastSeq) this store ever assigned: the store was replaced or lost (R7). The service continues its seqs above \(ack.ackedSeq), so nothing is overwritten; expected after a reinstall, otherwise find out where the old store went.\(kicked)",
                    details)
            }
            if let ackedSeq, ack.ackedSeq < ackedSeq {
                return .warning(
                    "websocket",
                    "connect_ack arrived (\(settings)), but the cloud acknowledges only seq \(ack.ackedSeq) while it had acked \(ackedSeq) before: it lost data (its store was wiped or restored). The service resends what it still holds above \(ack.ackedSeq); what retention already pruned cannot be resent.\(kicked)",
                    details)
            }
            let position = lastSeq.map { " (this store: last seq \($0), acked \(ackedSeq ?? 0))" } ?? ""
            return .ok(
                "websocket",
                "\(url) accepted the session: connect_ack with acked_seq \(ack.ackedSeq)\(position), \(settings). Closed again with 1000.\(kicked)",
                details)
        case .refused(let error):
            let meaning =
                switch error.code {
                case "unauthorized": "the token in connect was not accepted (the link fetches a new one and retries)"
                case "tenant_mismatch": "the cloud has device \(who.deviceID) in another tenant than \(who.tenantID): fix TENANT_ID or the cloud's record"
                case "protocol_unsupported": "the cloud does not speak protocol version \(ConnectPayload.protocolVersion): upgrade the cloud or this connector"
                default: "see the cloud's documentation for this code"
                }
            return .problem(
                "websocket",
                "The cloud answered connect with error \(SafeText.clean(error.code, hiding: secrets)) (\"\(SafeText.clean(error.message, hiding: secrets))\"): \(meaning).\(kicked)")
        case .closed(let closure):
            return .problem(
                "websocket",
                "The cloud closed the WebSocket before connect_ack (\(SafeText.clean("\(closure)", hiding: secrets))). The link would back off and retry; the cloud's log says why.\(kicked)")
        case .timedOut:
            return .problem(
                "websocket",
                "No connect_ack within the timeout: the cloud took the WebSocket but did not answer connect. The link closes such an attempt after 30 s (4408) and retries. Check the cloud's health and log.\(kicked)")
        }
    }

    /// The first frame that settles the handshake, or how the socket ended.
    static func firstReply(on connection: WebSocketConnection, within timeout: Duration) async -> HandshakeReply {
        await withTaskGroup(of: HandshakeReply?.self) { group in
            group.addTask {
                for await event in connection.events {
                    switch event {
                    case .text(let text):
                        switch try? InboundEnvelope.decode(text).frame {
                        case .connectAck(let ack)?: return .acknowledged(ack)
                        case .error(let error)?: return .refused(error)
                        default: continue
                        }
                    case .closed(let closure):
                        return .closed(closure)
                    default:
                        continue
                    }
                }
                return .closed(.failed(reason: "the connection ended"))
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .timedOut
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .timedOut
        }
    }

    /// Reads the rest of the events so the close handshake can finish before the loop stops.
    static func waitForClose(_ connection: WebSocketConnection, within timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in connection.events {
                    if case .closed = event { return }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
