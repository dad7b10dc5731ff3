/// One outgoing HTTP request on the service thread.
final class HTTPClientExchange {
    let call: HTTPClientCall
    var deadline: ContinuousClock.Instant
    var wsi: OpaquePointer?
    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var finished = false
    /// Why the server certificate was refused.
    var tlsFailure: String?
    let cStrings = CStrings()

    init(call: HTTPClientCall) {
        self.call = call
        self.deadline = .now + call.request.timeout
    }
}
