/// TLS settings. Clients verify the server certificate by default against the system trust
/// store; servers need a certificate and key.
public struct TLSConfiguration: Sendable, Equatable {
    /// Client: a PEM file of CA certificates to trust instead of the system trust store.
    public var caFile: String?
    /// Client: skip certificate and host name verification. Logged as a warning at every connect.
    public var allowInsecure: Bool
    /// Server: PEM certificate chain.
    public var certificateFile: String?
    /// Server: PEM private key for `certificateFile`.
    public var privateKeyFile: String?

    public init(
        caFile: String? = nil, allowInsecure: Bool = false,
        certificateFile: String? = nil, privateKeyFile: String? = nil
    ) {
        self.caFile = caFile
        self.allowInsecure = allowInsecure
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }
}
