import ConnectorCore
import Logging
import WebSocketTransport

/// Dispatches a request: unknown path 404, wrong method 405, missing or wrong token 401, then the
/// endpoint. The path and method checks come first because they reveal nothing a caller without a
/// token could not learn from this source code.
struct LocalAPIRouter: Sendable {
    let token: LocalToken
    let appends: AppendEndpoint
    let status: StatusEndpoint
    let metricsEndpoint: MetricsEndpoint
    let metrics: LocalAPIMetrics
    let inFlight: InFlightRequests
    let logger: Logger

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let started = ContinuousClock.now
        let head = request.head
        guard let route = Route(rawValue: head.path) else {
            logger.debug("local API: no such path", metadata: ["http.method": "\(head.method)", "http.path": "\(head.path)"])
            metrics.request(route: "unknown", status: 404, duration: ContinuousClock.now - started)
            return .apiError(404, "not_found", "no such endpoint: \(head.path)")
        }
        guard inFlight.enter() else {
            return .apiError(503, "shutting_down", "the connector is shutting down; retry shortly.", headers: ["Retry-After": "1"])
        }
        defer { inFlight.leave() }
        let response = await answer(route, request)
        metrics.request(route: route.label, status: response.status, duration: ContinuousClock.now - started)
        return response
    }

    private func answer(_ route: Route, _ request: HTTPServerRequest) async -> HTTPServerResponse {
        guard request.head.method == route.method else {
            return .apiError(
                405, "method_not_allowed", "\(route.rawValue) accepts \(route.method) only.",
                headers: ["Allow": route.method.rawValue])
        }
        if route.requiresToken, !token.accepts(authorization: request.head.headers["Authorization"]) {
            // Which of the two it was helps a person fix a caller; the value itself is never logged.
            let presented = request.head.headers["Authorization"] != nil
            logger.notice(
                "local API request refused: bearer token missing or wrong",
                metadata: ["http.path": "\(route.rawValue)", "bearer": "\(presented ? "wrong" : "missing")"])
            return .apiError(
                401, "unauthorized",
                "this endpoint needs the header `Authorization: Bearer <token>`, with the token from \(token.path).",
                headers: ["WWW-Authenticate": "Bearer realm=\"cloud-connector\""])
        }
        switch route {
        case .events, .usage, .replies:
            guard let type = route.messageType else { return .apiError(500, "internal_error", "unmapped route") }
            return await appends.handle(type, body: request.body)
        case .status:
            return status.handle()
        case .health:
            return HTTPServerResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n")
        case .metrics:
            return metricsEndpoint.handle()
        }
    }
}
