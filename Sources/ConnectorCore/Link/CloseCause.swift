/// Why a socket ended, and so what comes next: which backoff, and whether the token is still good.
enum CloseCause: Sendable, Equatable {
    case shutdown
    case stale
    case handshakeTimeout
    case refusal(CloudError.Refusal)
    case tenantMismatchAck
    case tooManyInvalidFrames
    /// Closed by the peer or lost, without a reason of our own.
    case peer(code: UInt16?)

    /// Refusals retrying soon cannot fix take the long backoff.
    var needsOperator: Bool {
        switch self {
        case .refusal(.tenantMismatch), .refusal(.protocolUnsupported), .tenantMismatchAck: true
        case .peer(let code): code == CloseCode.forbidden.rawValue
        case .shutdown, .stale, .handshakeTimeout, .refusal(.unauthorized), .tooManyInvalidFrames: false
        }
    }

    /// The cloud closed with 4401 without saying more: fetch a new token before the next attempt.
    /// (An `unauthorized` error frame already dropped the token when it arrived.)
    var invalidatesToken: Bool {
        if case .peer(let code) = self { return code == CloseCode.unauthorized.rawValue }
        return false
    }
}
