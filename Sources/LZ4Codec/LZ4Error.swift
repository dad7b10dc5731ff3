/// Why an LZ4 operation failed. One error type for the whole module so callers (outbox readers,
/// archivers) can log a single field and tests can compare failures by value.
public struct LZ4Error: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "LZ4: \(reason)" }
}
