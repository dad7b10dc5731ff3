/// One outgoing HTTP request on the service thread.
final class HTTPClientExchange {
    let call: HTTPClientCall
    var deadline: ContinuousClock.Instant
    var wsi: OpaquePointer?
    var status = 0
    var headers = HTTPHeaders()
    /// `send` only: the body so far.
    var body: [UInt8] = []
    /// Every body byte received, checked against `maxResponseBytes`.
    var receivedBytes = 0
    var finished = false
    /// Inside `lws_http_client_read`, and whether lws called the response complete meanwhile
    /// (see `readResponse`).
    var reading = false
    var completedWhileReading = false
    /// Why the server certificate was refused.
    var tlsFailure: String?
    let cStrings = CStrings()

    /// Set for `stream`: where the head and each chunk go.
    var channel: HTTPStreamChannel? {
        if case .stream(let channel) = call.delivery { channel } else { nil }
    }

    init(call: HTTPClientCall) {
        self.call = call
        self.deadline = .now + call.request.timeout
    }
}
