internal import CWebSockets

extension LoopCore {
    func startRequest(_ call: HTTPClientCall) {
        let exchange = HTTPClientExchange(call: call)
        let endpoint = call.endpoint
        let vhost: OpaquePointer
        do {
            vhost = try clientVhost(for: call.request.tls, secure: endpoint.secure)
        } catch {
            return call.completion.resume(returning: .failure(error))
        }
        warnIfInsecure(endpoint, call.request.tls)
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = exchange.cStrings.make(endpoint.host)
        info.port = Int32(endpoint.port)
        info.path = exchange.cStrings.make(endpoint.pathAndQuery)
        info.host = exchange.cStrings.make(endpoint.hostHeader)
        info.origin = info.host
        info.method = exchange.cStrings.make(call.request.method.rawValue)
        // Following a redirect could carry the Authorization header to another host.
        info.ssl_connection = sslFlags(endpoint, call.request.tls) | Int32(LCCSCF_HTTP_NO_FOLLOW_REDIRECT.rawValue)
        info.local_protocol_name = exchange.cStrings.make(ProtocolTables.httpClientName)
        info.alpn = exchange.cStrings.make("http/1.1")
        info.opaque_user_data = Unmanaged.passUnretained(exchange).toOpaque()
        let id = ObjectIdentifier(exchange)
        retained[id] = exchange
        httpExchanges[id] = exchange
        let wsi = lws_client_connect_via_info(&info)
        guard !exchange.finished else { return }
        guard let wsi else {
            return requestFailed(exchange, reason: "libwebsockets could not start the connection")
        }
        exchange.wsi = wsi
    }

    func appendRequestHeaders(
        _ exchange: HTTPClientExchange, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        let request = exchange.call.request
        var headers = request.headers
        if !request.body.isEmpty || request.method == .post || request.method == .put {
            headers.set(name: "Content-Length", value: String(request.body.count))
        }
        if appendHeaders(headers, wsi, input, length) != 0 { return -1 }
        if !request.body.isEmpty {
            lws_client_http_body_pending(wsi, 1)
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    func writeRequestBody(_ exchange: HTTPClientExchange, _ wsi: OpaquePointer) -> Int32 {
        let body = exchange.call.request.body
        var frame = [UInt8](repeating: 0, count: OutgoingMessage.headroom) + body
        let written = frame.withUnsafeMutableBufferPointer { buffer in
            lws_write(wsi, buffer.baseAddress! + OutgoingMessage.headroom, body.count, LWS_WRITE_HTTP_FINAL)
        }
        lws_client_http_body_pending(wsi, 0)
        return written < 0 ? -1 : 0
    }

    func responseStarted(_ exchange: HTTPClientExchange, _ wsi: OpaquePointer) {
        exchange.status = Int(lws_http_client_http_response(wsi))
        exchange.headers = HeaderReader.headers(wsi, extraNames: exchange.call.request.extraResponseHeaderNames)
    }

    /// lws announces body data; reading it makes lws call back with RECEIVE_CLIENT_HTTP_READ.
    func readResponse(_ wsi: OpaquePointer) -> Int32 {
        let headroom = OutgoingMessage.headroom
        return readBuffer.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                var cursor: UnsafeMutablePointer<CChar>? = base + headroom
                var length = Int32(buffer.count - headroom)
                return lws_http_client_read(wsi, &cursor, &length) < 0 ? -1 : 0
            }
        }
    }

    func responseBody(_ exchange: HTTPClientExchange, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let input, length > 0, !exchange.finished else { return 0 }
        let limit = exchange.call.request.maxResponseBytes
        guard exchange.body.count + length <= limit else {
            fail(exchange, .responseTooLarge(limit: limit))
            return -1
        }
        exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        return 0
    }

    func complete(_ exchange: HTTPClientExchange) {
        guard !exchange.finished else { return }
        end(exchange)
        let response = HTTPClientResponse(status: exchange.status, headers: exchange.headers, body: exchange.body)
        exchange.call.completion.resume(returning: .success(response))
    }

    /// Without a Content-Length the body ends with the connection.
    func responseEndedByClose(_ exchange: HTTPClientExchange) {
        if exchange.status > 0 {
            complete(exchange)
        } else {
            requestFailed(exchange, reason: "connection closed before a response arrived")
        }
    }

    /// As for WebSockets: a generic TCP connect failure is completed by `ConnectDiagnosis`.
    func requestFailed(_ exchange: HTTPClientExchange, lwsText: String?) {
        let reason = ConnectDiagnosis.describe(lwsText)
        guard exchange.status == 0, ConnectDiagnosis.isGenericConnectFailure(lwsText), !exchange.finished else {
            return requestFailed(exchange, reason: reason)
        }
        let endpoint = exchange.call.endpoint
        let completion = exchange.call.completion
        end(exchange)
        ConnectDiagnosis.diagnose(endpoint) { cause in
            let detailed = cause.map { "\(reason): \($0)" } ?? reason
            completion.resume(returning: .failure(.connectFailed(endpoint: endpoint.display, reason: detailed)))
        }
    }

    func requestFailed(_ exchange: HTTPClientExchange, reason: String) {
        let endpoint = exchange.call.endpoint.display
        fail(exchange, exchange.status == 0
            ? .connectFailed(endpoint: endpoint, reason: reason)
            : .requestFailed(endpoint: endpoint, reason: reason))
    }

    /// `killSocket` when the failure is our decision (timeout, shutdown) rather than lws' report.
    func fail(_ exchange: HTTPClientExchange, _ error: TransportError, killSocket: Bool = false) {
        guard !exchange.finished else { return }
        let wsi = exchange.wsi
        end(exchange)
        exchange.call.completion.resume(returning: .failure(error))
        if killSocket, let wsi, context != nil { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
    }

    private func end(_ exchange: HTTPClientExchange) {
        exchange.finished = true
        // After lws_context_destroy the wsi is gone and must not be touched.
        if let wsi = exchange.wsi, context != nil { lws_set_opaque_user_data(wsi, nil) }
        exchange.wsi = nil
        let id = ObjectIdentifier(exchange)
        httpExchanges[id] = nil
        retained[id] = nil
    }
}
