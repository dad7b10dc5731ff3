import SocketTestSupport
import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct HTTPTests {
        /// A token endpoint like the reference cloud's, plus an echo endpoint for POST.
        static let handler: @Sendable (HTTPServerRequest) async -> HTTPServerResponse = { request in
            let head = request.head
            switch (head.method, head.path) {
            case (.get, "/device-token"):
                switch head.headers["Authorization"] {
                case "Bearer good-key":
                    let device = head.headers["X-Device-Id"] ?? "?"
                    return HTTPServerResponse(
                        status: 200, contentType: "application/json",
                        body: #"{"token":"tok-\#(device)","expires_in":3600}"#, headers: ["Cache-Control": "no-store"])
                case "Bearer banned-key":
                    return HTTPServerResponse(status: 403, contentType: "application/json", body: #"{"error":"forbidden"}"#)
                default:
                    return HTTPServerResponse(status: 401, contentType: "application/json", body: #"{"error":"unauthorized"}"#)
                }
            case (.post, "/echo"):
                return HTTPServerResponse(
                    status: 200, headers: ["Content-Type": "application/octet-stream", "X-Query": head.query ?? "",
                                           "X-Body-Length": String(request.body.count)],
                    body: request.body)
            default:
                return HTTPServerResponse(status: 404)
            }
        }

        static func server(_ loop: WebSocketEventLoop) async throws -> WebSocketServer {
            try await loop.startServer(WebSocketServerConfiguration(webSocketPath: "/ws", httpHandler: handler))
        }

        @Test func getWithHeadersReturns200401Or403() async throws {
            try await withLoop { loop in
                let server = try await Self.server(loop)
                let url = "http://127.0.0.1:\(server.port)/device-token"
                let ok = try await loop.send(HTTPClientRequest(
                    url: url, headers: ["Authorization": "Bearer good-key", "X-Device-Id": "dev-7", "X-Tenant-Id": "t"]))
                #expect(ok.status == 200)
                #expect(ok.bodyText == #"{"token":"tok-dev-7","expires_in":3600}"#)
                #expect(ok.headers["content-type"] == "application/json")
                #expect(ok.headers["Cache-Control"] == "no-store")

                let denied = try await loop.send(HTTPClientRequest(url: url, headers: ["Authorization": "Bearer nope"]))
                #expect(denied.status == 401)
                #expect(denied.bodyText == #"{"error":"unauthorized"}"#)

                let forbidden = try await loop.send(HTTPClientRequest(url: url, headers: ["Authorization": "Bearer banned-key"]))
                #expect(forbidden.status == 403)

                let missing = try await loop.send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/nothing"))
                #expect(missing.status == 404)
            }
        }

        @Test func postBodyAndQueryRoundTrip() async throws {
            try await withLoop { loop in
                let server = try await Self.server(loop)
                let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                let response = try await loop.send(HTTPClientRequest(
                    method: .post, url: "http://127.0.0.1:\(server.port)/echo?a=1&b=two", body: body,
                    extraResponseHeaderNames: ["X-Body-Length", "X-Query"]))
                #expect(response.status == 200)
                #expect(response.headers["X-Body-Length"] == "200000")
                #expect(response.headers["x-query"] == "a=1&b=two")
                #expect(response.body == body)
            }
        }

        @Test func oversizedRequestBodyGets413AndOversizedResponseFails() async throws {
            try await withLoop { loop in
                let server = try await loop.startServer(WebSocketServerConfiguration(
                    maxRequestBodyBytes: 1_000, httpHandler: Self.handler))
                let tooBig = try await loop.send(HTTPClientRequest(
                    method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: [UInt8](repeating: 1, count: 5_000)))
                #expect(tooBig.status == 413)
                await #expect(throws: TransportError.responseTooLarge(limit: 100)) {
                    _ = try await loop.send(HTTPClientRequest(
                        method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: [UInt8](repeating: 2, count: 500),
                        maxResponseBytes: 100))
                }
            }
        }

        @Test func requestToSilentServerTimesOut() async throws {
            let listener = try SilentListener()
            defer { listener.close() }
            try await withLoop { loop in
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.send(HTTPClientRequest(
                        url: "http://127.0.0.1:\(listener.port)/device-token", timeout: .milliseconds(500)))
                }
                guard case .timedOut = try #require(error) else {
                    Issue.record("expected a timeout, got \(String(describing: error))")
                    return
                }
            }
        }

        @Test func refusedRequestSaysSo() async throws {
            try await withLoop { loop in
                let port = try await ConnectTests.closedPort(loop)
                let error = await #expect(throws: TransportError.self) {
                    _ = try await loop.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/device-token"))
                }
                #expect(String(describing: error).contains("refused"), "\(String(describing: error))")
            }
        }
    }
}
