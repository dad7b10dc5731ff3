/// Test-only switches that break a delivery property on purpose, so the suite can show its tests
/// catch the break (negative controls). Never set outside tests.
@_spi(Faults)
public struct LinkFaults: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Fire and forget: after a reconnect, resume above the highest seq this process already sent
    /// instead of above the cloud's acked_seq (breaks R7's resend, loses what was in flight).
    public static let skipResend = LinkFaults(rawValue: 1 << 0)
    /// Ignore a cloud that answers with a lower acked_seq than before (breaks R7 for a wiped cloud).
    public static let ignoreRewind = LinkFaults(rawValue: 1 << 1)
    /// Never start the data-directory watch: appends by other processes reach the link only
    /// through the safety poll (breaks "promptly, without a slow poll").
    public static let ignoreFileWatch = LinkFaults(rawValue: 1 << 2)
    /// Log each fetched device token's value, as a careless debug line would (breaks "secrets are
    /// never printed").
    public static let logSecrets = LinkFaults(rawValue: 1 << 3)
    /// Send each batch of outbox messages in reverse seq order (breaks R4's order on a connection).
    public static let reverseBatches = LinkFaults(rawValue: 1 << 4)
}
