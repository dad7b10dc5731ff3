internal import CWebSockets

extension LoopCore {
    /// One code path for `send` and `stream`: only `HTTPClientCall.delivery` tells them apart.
    func startRequest(_ call: HTTPClientCall) {
        let exchange = HTTPClientExchange(call: call)
        // Cancelled while the command waited: its reader already has its answer.
        if exchange.channel?.isCancelled == true { return }
        let endpoint = call.endpoint
        let vhost: OpaquePointer
        do {
            vhost = try clientVhost(for: call.request.tls, secure: endpoint.secure)
        } catch {
            return call.delivery.fail(error)
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
        exchange.channel?.deliverHead(status: exchange.status, headers: exchange.headers)
    }

    /// lws announces body data; reading it makes lws call back with RECEIVE_CLIENT_HTTP_READ.
    ///
    /// A chunked body is complete at its last (empty) chunk, but lws 4.1 also reports it complete
    /// when the connection ends before that, and says which only in where it leaves the read
    /// cursor: moved past the bytes it parsed, or left where it was when the read found the end of
    /// the connection. So a completion during a chunked read is judged here, after the read.
    func readResponse(_ exchange: HTTPClientExchange, _ wsi: OpaquePointer) -> Int32 {
        let headroom = OutgoingMessage.headroom
        exchange.reading = true
        var consumedBytes = false
        let read = readBuffer.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                var cursor: UnsafeMutablePointer<CChar>? = base + headroom
                var length = Int32(buffer.count - headroom)
                let result = lws_http_client_read(wsi, &cursor, &length)
                consumedBytes = cursor != base + headroom
                return result < 0 ? Int32(-1) : 0
            }
        }
        exchange.reading = false
        guard exchange.completedWhileReading else { return read }
        exchange.completedWhileReading = false
        if consumedBytes {
            complete(exchange)
        } else {
            requestFailed(exchange, reason: Self.cutShort)
        }
        unbind(wsi)
        return -1
    }

    /// lws says the response is complete (see `readResponse` for when it may be wrong).
    func responseCompleted(_ exchange: HTTPClientExchange, _ wsi: OpaquePointer) -> Int32 {
        if exchange.reading, Self.isChunked(exchange) {
            exchange.completedWhileReading = true
        } else {
            complete(exchange)
            unbind(wsi)
        }
        // One request per connection: close instead of idling in keep-alive.
        return -1
    }

    func responseBody(
        _ exchange: HTTPClientExchange, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        guard let input, length > 0, !exchange.finished else { return 0 }
        let limit = exchange.call.request.maxResponseBytes
        guard exchange.receivedBytes + length <= limit else {
            fail(exchange, .responseTooLarge(limit: limit))
            return -1
        }
        exchange.receivedBytes += length
        let bytes = UnsafeRawBufferPointer(start: input, count: length)
        guard let channel = exchange.channel else {
            exchange.body.append(contentsOf: bytes)
            return 0
        }
        switch channel.push(Array(bytes)) {
        case .taken:
            return 0
        case .pause:
            // Until the reader drains the buffer (`resumeStream`); TCP then holds the server back.
            lws_rx_flow_control(wsi, 0)
            return 0
        case .cancelled:
            fail(exchange, .cancelled)
            return -1
        }
    }

    func complete(_ exchange: HTTPClientExchange) {
        guard !exchange.finished else { return }
        end(exchange)
        switch exchange.call.delivery {
        case .whole(let completion):
            let response = HTTPClientResponse(status: exchange.status, headers: exchange.headers, body: exchange.body)
            completion.resume(returning: .success(response))
        case .stream(let channel):
            channel.finish(.success(()))
        }
    }

    /// The reader of a streamed response cancelled it: end the exchange and kill its socket.
    func cancelStream(_ channel: HTTPStreamChannel) {
        guard let exchange = exchange(of: channel) else { return }
        fail(exchange, .cancelled, killSocket: true)
    }

    /// The reader drained the buffer that paused the socket: read it again.
    func resumeStream(_ channel: HTTPStreamChannel) {
        guard let exchange = exchange(of: channel), let wsi = exchange.wsi else { return }
        lws_rx_flow_control(wsi, 1)
    }

    private func exchange(of channel: HTTPStreamChannel) -> HTTPClientExchange? {
        httpExchanges.values.first { $0.channel === channel }
    }

    /// Without a Content-Length or chunked framing the body ends with the connection; with them,
    /// lws reports the end (`complete`) and a close before it means the body was cut short.
    func responseEndedByClose(_ exchange: HTTPClientExchange) {
        guard !exchange.finished else { return }
        if exchange.status == 0 {
            requestFailed(exchange, reason: "connection closed before a response arrived")
        } else if Self.expectsMoreBody(exchange) {
            requestFailed(exchange, reason: Self.cutShort)
        } else {
            complete(exchange)
        }
    }

    private static let cutShort = "connection closed before the end of the response body"

    private static func isChunked(_ exchange: HTTPClientExchange) -> Bool {
        exchange.headers["transfer-encoding"]?.lowercased().contains("chunked") == true
    }

    private static func expectsMoreBody(_ exchange: HTTPClientExchange) -> Bool {
        if isChunked(exchange) { return true }
        guard let declared = exchange.headers["content-length"].flatMap({ Int($0) }) else { return false }
        return exchange.receivedBytes < declared
    }

    /// lws guards each phase of a client connection with a timeout of its own (5 s in 4.1, e.g. for
    /// the response to start), which would cut off a service that takes its time. The exchange has
    /// its own deadline for all of it (`runMaintenance`), so lws' is pushed past that one; lws sets
    /// a new one at each phase change, hence this runs on every maintenance pass.
    func holdOffLibraryTimeout(_ exchange: HTTPClientExchange, now: ContinuousClock.Instant) {
        guard let wsi = exchange.wsi, !exchange.finished else { return }
        let left = (exchange.deadline - now).components.seconds
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, Int32(clamping: max(0, left) + 2))
    }

    /// As for WebSockets: a generic TCP connect failure is completed by `ConnectDiagnosis`.
    func requestFailed(_ exchange: HTTPClientExchange, lwsText: String?) {
        let reason = ConnectDiagnosis.describe(lwsText)
        guard exchange.status == 0, ConnectDiagnosis.isGenericConnectFailure(lwsText), !exchange.finished else {
            return requestFailed(exchange, reason: reason)
        }
        let endpoint = exchange.call.endpoint
        let delivery = exchange.call.delivery
        end(exchange)
        ConnectDiagnosis.diagnose(endpoint) { cause in
            let detailed = cause.map { "\(reason): \($0)" } ?? reason
            delivery.fail(.connectFailed(endpoint: endpoint.display, reason: detailed))
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
        exchange.call.delivery.fail(error)
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
