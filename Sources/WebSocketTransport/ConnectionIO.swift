/// What the service thread keeps per WebSocket: never touched from another thread.
final class ConnectionIO {
    var wsi: OpaquePointer?
    var assembler: MessageAssembler
    /// Whichever close frame came first: ours or the peer's.
    var closure: WebSocketClosure?
    /// Why the connection ended without a close handshake, when we know better than lws.
    var failure: String?
    var finished = false
    /// Client connects only: why the server certificate was refused.
    var tlsFailure: String?
    /// Client connects only: when the attempt is given up.
    var connectDeadline: ContinuousClock.Instant?
    /// C strings handed to lws for this connection, alive as long as it is.
    let cStrings = CStrings()

    init(maxMessageBytes: Int) { assembler = MessageAssembler(maxBytes: maxMessageBytes) }
}

/// Client connection parameters resolved at `connect` time.
struct ClientSetup: Sendable {
    var endpoint: Endpoint
    var headers: HTTPHeaders
    var tls: TLSConfiguration
    var connectTimeout: Duration
}
