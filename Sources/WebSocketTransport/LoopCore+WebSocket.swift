internal import CWebSockets

extension LoopCore {
    // MARK: Client connect

    func startConnect(_ connection: WebSocketConnection) {
        guard let setup = connection.clientSetup, !connection.io.finished else { return }
        let vhost: OpaquePointer
        do {
            vhost = try clientVhost(for: setup.tls, secure: setup.endpoint.secure)
        } catch {
            giveUpConnect(connection, error)
            return
        }
        warnIfInsecure(setup.endpoint, setup.tls)
        logger.debug("connecting", metadata: ["endpoint": "\(setup.endpoint.display)"])
        let io = connection.io
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = io.cStrings.make(setup.endpoint.host)
        info.port = Int32(setup.endpoint.port)
        info.path = io.cStrings.make(setup.endpoint.pathAndQuery)
        info.host = io.cStrings.make(setup.endpoint.hostHeader)
        info.origin = info.host
        info.ssl_connection = sslFlags(setup.endpoint, setup.tls)
        info.local_protocol_name = io.cStrings.make(ProtocolTables.webSocketClientName)
        info.alpn = io.cStrings.make("http/1.1")
        info.opaque_user_data = Unmanaged.passUnretained(connection).toOpaque()
        let id = ObjectIdentifier(connection)
        retained[id] = connection
        connections[id] = connection
        io.connectDeadline = .now + setup.connectTimeout
        let wsi = lws_client_connect_via_info(&info)
        // A synchronous failure has already been reported through CLIENT_CONNECTION_ERROR.
        guard !io.finished else { return }
        guard let wsi else {
            connectFailed(connection, reason: "libwebsockets could not start the connection")
            return
        }
        io.wsi = wsi
    }

    func clientEstablished(_ connection: WebSocketConnection, _ wsi: OpaquePointer) -> Int32 {
        connection.io.wsi = wsi
        connection.io.connectDeadline = nil
        logger.debug("connected", metadata: ["endpoint": "\(connection.endpoint)"])
        connection.markOpen()
        // Anything queued before the upgrade completed goes out now.
        lws_callback_on_writable(wsi)
        return 0
    }

    func connectFailed(_ connection: WebSocketConnection, reason: String) {
        guard !connection.io.finished else { return }
        let error = TransportError.connectFailed(endpoint: connection.endpoint, reason: reason)
        finish(connection, .failed(reason: reason), connectError: error)
    }

    /// lws' own words, completed with the HTTP status of a refused upgrade or, for a failed TCP
    /// connect, with the cause found by `ConnectDiagnosis` (off this thread).
    func connectFailed(_ connection: WebSocketConnection, lwsText: String?, httpStatus: Int) {
        guard !connection.io.finished, let endpoint = connection.clientSetup?.endpoint else { return }
        let reason = ConnectDiagnosis.describe(lwsText) + (httpStatus > 0 ? " (HTTP \(httpStatus))" : "")
        if httpStatus > 0 {
            let error = TransportError.upgradeRefused(endpoint: connection.endpoint, status: httpStatus)
            return finish(connection, .failed(reason: reason), connectError: error)
        }
        guard ConnectDiagnosis.isGenericConnectFailure(lwsText) else { return connectFailed(connection, reason: reason) }
        finish(connection, .failed(reason: reason), report: false)
        ConnectDiagnosis.diagnose(endpoint) { cause in
            let detailed = cause.map { "\(reason): \($0)" } ?? reason
            connection.finish(
                .failed(reason: detailed), connectError: .connectFailed(endpoint: endpoint.display, reason: detailed))
        }
    }

    /// Ends a connect attempt from our side (timeout, cancellation) and kills its socket.
    func giveUpConnect(_ connection: WebSocketConnection, _ error: TransportError) {
        guard !connection.io.finished else { return }
        let wsi = connection.io.wsi
        finish(connection, .failed(reason: error.description), connectError: error)
        if let wsi { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
    }

    // MARK: Traffic

    func receive(
        _ connection: WebSocketConnection, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        let chunk = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)
        let event = connection.io.assembler.consume(
            chunk, isBinary: lws_frame_is_binary(wsi) != 0, isFirst: lws_is_first_fragment(wsi) != 0,
            isFinal: lws_is_final_fragment(wsi) != 0, announced: Int(lws_remaining_packet_payload(wsi)))
        if let event {
            if case .oversized(let size, _) = event {
                logger.warning("dropped an oversized message", metadata: [
                    "endpoint": "\(connection.endpoint)", "bytes": "\(size)",
                    "limit": "\(connection.io.assembler.maxBytes)",
                ])
            }
            connection.deliver(event)
        }
        return 0
    }

    /// One message (or one frame of a fragmented one) per writeable callback keeps the loop fair.
    func writeNext(_ connection: WebSocketConnection, _ wsi: OpaquePointer) -> Int32 {
        switch connection.nextWriteStep() {
        case .idle:
            return 0
        case .close(let code, let reason):
            var bytes = Array(Self.closeReason(reason).utf8)
            lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &bytes, bytes.count)
            if connection.io.closure == nil { connection.io.closure = .byUs(code: code, reason: reason) }
            return -1
        case .frame(var step):
            let headroom = OutgoingMessage.headroom
            let written = step.frame.withUnsafeMutableBufferPointer { buffer in
                lws_write(wsi, buffer.baseAddress! + headroom, buffer.count - headroom, step.flags)
            }
            if written < 0 {
                connection.io.failure = "write failed"
                return -1
            }
            if step.moreQueued { lws_callback_on_writable(wsi) }
            return 0
        }
    }

    /// How long a requested close may wait for its writeable callback.
    static let closeSendTimeoutSeconds: Int32 = 5

    /// A close frame goes out from a writeable callback, and a peer that stopped reading (a stalled
    /// or half-open link, the very case a heartbeat timeout closes) with our send buffer full never
    /// gives one: lws would hold the socket, and its close would never be reported. So the close
    /// gets a deadline, after which lws drops the socket and `closed` reports why. Once the close
    /// frame is written lws replaces this with its own wait for the peer's answer.
    func boundCloseSend(_ connection: WebSocketConnection, _ wsi: OpaquePointer) {
        guard !faults.contains(.unboundedCloseSend) else { return }
        if connection.io.failure == nil {
            connection.io.failure =
                "the connection ended before our close frame went out (it waits at most \(Self.closeSendTimeoutSeconds) s for a peer that stopped reading)"
        }
        lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, Self.closeSendTimeoutSeconds)
    }

    /// A close reason fits in 123 bytes; cut on a character boundary.
    static func closeReason(_ reason: String) -> String {
        var result = ""
        for character in reason {
            if result.utf8.count + character.utf8.count > 123 { break }
            result.append(character)
        }
        return result
    }

    // MARK: Endings

    func peerClosed(_ connection: WebSocketConnection, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        guard connection.io.closure == nil else { return }
        let payload = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)
        let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : WebSocketCloseCode.noStatus.rawValue
        let reason = payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : ""
        connection.io.closure = .byPeer(code: WebSocketCloseCode(code), reason: reason)
    }

    func closed(_ connection: WebSocketConnection) {
        let closure = connection.io.closure ?? .failed(reason: connection.io.failure ?? "connection lost")
        logger.debug("closed", metadata: ["endpoint": "\(connection.endpoint)", "how": "\(closure)"])
        finish(connection, closure)
    }

    func abort(_ connection: WebSocketConnection) {
        guard !connection.io.finished else { return }
        guard let wsi = connection.io.wsi else {
            giveUpConnect(connection, .cancelled)
            return
        }
        if connection.io.closure == nil { connection.io.failure = "aborted by us" }
        cws_shutdown_socket(lws_get_socket_fd(wsi))
        lws_callback_on_writable(wsi)
    }

    /// The single exit for every connection: unbinds it and tells its owner.
    /// `report: false` leaves telling the owner to the caller.
    func finish(
        _ connection: WebSocketConnection, _ closure: WebSocketClosure, connectError: TransportError? = nil,
        report: Bool = true
    ) {
        let io = connection.io
        guard !io.finished else { return }
        io.finished = true
        io.connectDeadline = nil
        // After lws_context_destroy the wsi is gone and must not be touched.
        if let wsi = io.wsi, context != nil { lws_set_opaque_user_data(wsi, nil) }
        io.wsi = nil
        let id = ObjectIdentifier(connection)
        connections[id] = nil
        retained[id] = nil
        if report { connection.finish(closure, connectError: connectError) }
    }
}
