/// Test-only switches that break a property of the transport on purpose, so the suite can show
/// that the test guarding it fails without the fix (negative controls). Never set in production.
public struct TransportFaults: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Every context redoes libwebsockets' global TLS init, as lws 4.1 would by default: a loop
    /// created during another loop's TLS handshake then fails that handshake.
    public static let initSSLForEveryContext = TransportFaults(rawValue: 1 << 0)

    /// A requested close waits for its writeable callback for ever: against a peer that stopped
    /// reading, the socket's close is then never reported.
    public static let unboundedCloseSend = TransportFaults(rawValue: 1 << 1)
}
