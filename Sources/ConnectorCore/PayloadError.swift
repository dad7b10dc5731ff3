/// Why an outbox payload was refused: the exact field and what is wrong with it.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field, e.g. "payload.metrics.duration_ms".
    public let path: String
    /// What is wrong, e.g. "must be a non-negative whole number".
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// "payload.metrics.duration_ms: must be a non-negative whole number"
    public var description: String { "\(path): \(reason)" }
}
