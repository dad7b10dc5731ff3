internal import CWebSockets

/// The single lws callback for every protocol: finds the `LoopCore` through the context's user
/// pointer and the per-socket object through the wsi's opaque user data.
func lwsTransportCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let coreRaw = lws_context_user(context) else {
        return 0
    }
    let core = Unmanaged<LoopCore>.fromOpaque(coreRaw).takeUnretainedValue()
    if reason == LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION {
        // Only remember why; returning 0 keeps OpenSSL's (and lws' allowInsecure) verdict.
        if let store = user, let error = cws_x509_verify_error(store) {
            core.noteCertificateFailure(wsi, String(cString: error))
        }
        return 0
    }
    if let handled = core.handle(wsi, reason, input, length) { return handled }
    return lws_callback_http_dummy(wsi, reason, user, input, length)
}

/// Re-arms itself: its only job is to end `lws_service` regularly so deadlines get checked.
func lwsTick(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let owner = cws_timer_owner(sul) else { return }
    Unmanaged<LoopCore>.fromOpaque(owner).takeUnretainedValue().scheduleTick()
}

extension LoopCore {
    /// The object bound to `wsi`, if any.
    func binding(_ wsi: OpaquePointer) -> AnyObject? {
        lws_get_opaque_user_data(wsi).map { Unmanaged<AnyObject>.fromOpaque($0).takeUnretainedValue() }
    }

    func bind(_ wsi: OpaquePointer, _ object: AnyObject) {
        unbind(wsi)
        retained[ObjectIdentifier(object)] = object
        lws_set_opaque_user_data(wsi, Unmanaged.passUnretained(object).toOpaque())
    }

    func unbind(_ wsi: OpaquePointer) {
        if let old = binding(wsi) { retained[ObjectIdentifier(old)] = nil }
        lws_set_opaque_user_data(wsi, nil)
    }

    /// Returns nil for reasons left to lws' default handler.
    func handle(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32? {
        let object = binding(wsi)
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainCommands(inCallback: true)
            return 0

        // WebSockets, both roles.
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard let connection = object as? WebSocketConnection else { return -1 }
            return clientEstablished(connection, wsi)
        case LWS_CALLBACK_ESTABLISHED:
            return serverEstablished(wsi, upgrade: object as? PendingUpgrade)
        case LWS_CALLBACK_CLIENT_RECEIVE, LWS_CALLBACK_RECEIVE:
            guard let connection = object as? WebSocketConnection else { return -1 }
            return receive(connection, wsi, input, length)
        case LWS_CALLBACK_CLIENT_WRITEABLE, LWS_CALLBACK_SERVER_WRITEABLE:
            guard let connection = object as? WebSocketConnection else { return 0 }
            return writeNext(connection, wsi)
        case LWS_CALLBACK_CLIENT_RECEIVE_PONG, LWS_CALLBACK_RECEIVE_PONG:
            (object as? WebSocketConnection)?.deliver(.pong)
            return 0
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let connection = object as? WebSocketConnection { peerClosed(connection, input, length) }
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_CLOSED:
            if let connection = object as? WebSocketConnection { closed(connection) }
            unbind(wsi)
            return 0

        // Client handshakes: WebSocket upgrades and HTTP requests share these.
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            if let connection = object as? WebSocketConnection {
                return appendHeaders(connection.clientSetup?.headers ?? [:], wsi, input, length)
            }
            if let exchange = object as? HTTPClientExchange { return appendRequestHeaders(exchange, wsi, input, length) }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let text = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
            if let connection = object as? WebSocketConnection {
                connectFailed(
                    connection, lwsText: connection.io.tlsFailure ?? text, httpStatus: Int(lws_http_client_http_response(wsi)))
            }
            if let exchange = object as? HTTPClientExchange { requestFailed(exchange, lwsText: exchange.tlsFailure ?? text) }
            unbind(wsi)
            return 0

        // HTTP client. WebSocket clients see some of these too, during their upgrade response.
        case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
            guard let exchange = object as? HTTPClientExchange else { return nil }
            return writeRequestBody(exchange, wsi)
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
            guard let exchange = object as? HTTPClientExchange else { return nil }
            responseStarted(exchange, wsi)
            return 0
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
            guard let exchange = object as? HTTPClientExchange else { return nil }
            return readResponse(exchange, wsi)
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
            guard let exchange = object as? HTTPClientExchange else { return nil }
            return responseBody(exchange, wsi, input, length)
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
            guard let exchange = object as? HTTPClientExchange else { return nil }
            return responseCompleted(exchange, wsi)
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
            if let exchange = object as? HTTPClientExchange { responseEndedByClose(exchange) }
            unbind(wsi)
            return 0

        // HTTP server and upgrade admission.
        case LWS_CALLBACK_HTTP:
            return httpRequestStarted(wsi)
        case LWS_CALLBACK_HTTP_BODY:
            guard let exchange = object as? HTTPServerExchange else { return -1 }
            return httpBodyChunk(exchange, wsi, input, length)
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            guard let exchange = object as? HTTPServerExchange else { return -1 }
            dispatch(exchange)
            return 0
        case LWS_CALLBACK_HTTP_WRITEABLE:
            guard let exchange = object as? HTTPServerExchange else { return nil }
            return writeResponse(exchange, wsi)
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return confirmUpgrade(wsi)
        case LWS_CALLBACK_CLOSED_HTTP:
            if let exchange = object as? HTTPServerExchange { forget(exchange) }
            if !(object is WebSocketConnection) { unbind(wsi) }
            return nil

        case LWS_CALLBACK_WSI_DESTROY:
            socketDestroyed(wsi, object)
            return nil
        default:
            return nil
        }
    }

    /// lws reports a failed handshake only as "connect ssl err 1"; the verification error is kept
    /// here and used as the reason instead.
    func noteCertificateFailure(_ wsi: OpaquePointer, _ error: String) {
        let reason = "TLS certificate verification failed: \(error)"
        switch binding(wsi) {
        case let connection as WebSocketConnection where connection.io.tlsFailure == nil: connection.io.tlsFailure = reason
        case let exchange as HTTPClientExchange where exchange.tlsFailure == nil: exchange.tlsFailure = reason
        default: break
        }
    }

    /// Last word on a socket: whatever is still bound to it ends now.
    private func socketDestroyed(_ wsi: OpaquePointer, _ object: AnyObject?) {
        if let connection = object as? WebSocketConnection, !connection.io.finished {
            if connection.io.connectDeadline != nil {
                connectFailed(connection, reason: "connection closed before the upgrade completed")
            } else {
                closed(connection)
            }
        }
        if let exchange = object as? HTTPClientExchange { responseEndedByClose(exchange) }
        if let exchange = object as? HTTPServerExchange { forget(exchange) }
        unbind(wsi)
    }
}
