internal import ConnectorCore
import WebSocketTransport

extension CloudContext {
    /// Every HTTP answer carries `Date` (RFC 9110 §6.6.1: an origin server with a clock must send
    /// it). Devices read it to see how far their clock is from the cloud's (`cloud-connector doctor`).
    func respond(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        var response = await handle(request)
        if response.headers["Date"] == nil {
            response.headers.add(name: "Date", value: HTTPDate.format(milliseconds: nowMilliseconds()))
        }
        return response
    }
}
