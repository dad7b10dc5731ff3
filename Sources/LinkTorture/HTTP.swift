import ConnectorCore
import Logging
import WebSocketTransport

/// The driver's HTTP client (the project's own, over libwebsockets): the connector's local API and
/// the reference cloud's admin API.
struct HTTP: Sendable {
    let loop: WebSocketEventLoop

    static func start() throws -> HTTP {
        var logger = Logger(label: "link-torture.http")
        logger.logLevel = .critical
        return HTTP(loop: try WebSocketEventLoop(name: "torture-http", logger: logger))
    }

    func call(
        _ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        timeout: Duration = .seconds(15), maxBytes: Int = 1 << 20
    ) async throws(TransportError) -> HTTPClientResponse {
        try await loop.send(
            HTTPClientRequest(method: method, url: url, headers: headers, body: body, timeout: timeout, maxResponseBytes: maxBytes))
    }

    /// A GET whose 200 body is JSON; anything else is an error naming what came.
    func json(_ url: String, maxBytes: Int = 1 << 20) async throws -> JSONValue {
        let response = try await call(.get, url, maxBytes: maxBytes)
        guard response.status == 200 else { throw TortureError(description: "GET \(url) answered \(response.status): \(response.bodyText.prefix(300))") }
        return try JSON.parse(response.body)
    }

    func shutdown() async { await loop.shutdown(gracePeriod: .milliseconds(200)) }
}
