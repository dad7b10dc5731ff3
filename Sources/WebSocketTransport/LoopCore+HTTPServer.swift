internal import CWebSockets

extension LoopCore {
    func httpRequestStarted(_ wsi: OpaquePointer) -> Int32 {
        guard let server = server(of: wsi) else { return -1 }
        let configuration = server.configuration
        let head = HeaderReader.requestHead(wsi, extraNames: configuration.extraHeaderNames)
        let exchange = HTTPServerExchange(id: makeID(), server: server, head: head, wsi: wsi)
        bind(wsi, exchange)
        serverExchanges[exchange.id] = exchange
        let declaredLength = head.headers["content-length"].flatMap { Int($0) } ?? 0
        if declaredLength > configuration.maxRequestBodyBytes {
            return refuseBody(exchange, wsi)
        }
        // lws delivers a declared body through HTTP_BODY and then HTTP_BODY_COMPLETION.
        if declaredLength == 0 { dispatch(exchange) }
        return 0
    }

    func httpBodyChunk(
        _ exchange: HTTPServerExchange, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        guard let input, length > 0 else { return 0 }
        guard exchange.body.count + length <= exchange.server.configuration.maxRequestBodyBytes else {
            return refuseBody(exchange, wsi)
        }
        exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        return 0
    }

    private func refuseBody(_ exchange: HTTPServerExchange, _ wsi: OpaquePointer) -> Int32 {
        forget(exchange)
        unbind(wsi)
        _ = lws_return_http_status(wsi, 413, nil)
        return -1
    }

    /// Runs the application's handler off the service thread; its answer comes back as a command.
    func dispatch(_ exchange: HTTPServerExchange) {
        guard let handler = exchange.server.configuration.httpHandler else {
            return respond(exchangeID: exchange.id, HTTPServerResponse(status: 404, contentType: "text/plain", body: "not found\n"))
        }
        let request = HTTPServerRequest(head: exchange.head, body: exchange.body)
        let id = exchange.id
        Task { [self] in
            let response = await handler(request)
            submit(.httpResponse(exchangeID: id, response), onlyWhileAccepting: false)
        }
    }

    func respond(exchangeID: Int, _ response: HTTPServerResponse) {
        guard let exchange = serverExchanges[exchangeID], let wsi = exchange.wsi else { return }
        exchange.response = response
        lws_callback_on_writable(wsi)
    }

    /// Headers in one writeable callback, the body in the next.
    func writeResponse(_ exchange: HTTPServerExchange, _ wsi: OpaquePointer) -> Int32 {
        guard let response = exchange.response else { return 0 }
        if !exchange.headersSent {
            exchange.headersSent = true
            guard writeHeaders(response, wsi) else { return -1 }
            if !response.body.isEmpty {
                lws_callback_on_writable(wsi)
                return 0
            }
        } else {
            var frame = [UInt8](repeating: 0, count: OutgoingMessage.headroom) + response.body
            let written = frame.withUnsafeMutableBufferPointer { buffer in
                lws_write(wsi, buffer.baseAddress! + OutgoingMessage.headroom, response.body.count, LWS_WRITE_HTTP_FINAL)
            }
            if written < 0 { return -1 }
        }
        forget(exchange)
        unbind(wsi)
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    private func writeHeaders(_ response: HTTPServerResponse, _ wsi: OpaquePointer) -> Bool {
        let extra = response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        var buffer = [UInt8](repeating: 0, count: OutgoingMessage.headroom + 1024 + extra)
        return buffer.withUnsafeMutableBufferPointer { buffer -> Bool in
            let start = buffer.baseAddress! + OutgoingMessage.headroom
            let end = buffer.baseAddress! + buffer.count - 1
            var cursor: UnsafeMutablePointer<UInt8>? = start
            let contentType = response.headers["content-type"] ?? "application/octet-stream"
            let failed = contentType.withCString { type in
                lws_add_http_common_headers(
                    wsi, UInt32(response.status), type, lws_filepos_t(response.body.count), &cursor, end)
            }
            if failed != 0 { return false }
            for header in response.headers {
                let name = header.name.lowercased()
                if name == "content-type" || name == "content-length" { continue }
                if addHeader(header.name, header.value, wsi, &cursor, end) != 0 { return false }
            }
            return lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
        }
    }

    func forget(_ exchange: HTTPServerExchange) {
        exchange.wsi = nil
        serverExchanges[exchange.id] = nil
    }
}
