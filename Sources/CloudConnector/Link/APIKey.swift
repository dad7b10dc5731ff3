import ConnectorCore

/// `CLOUD_API_KEY`. A credential: every text form Swift can make of it (print, interpolation, dump,
/// Mirror) shows a placeholder; only `revealed` gives the text, for the `Authorization` header.
public struct APIKey: Sendable, Equatable {
    private let text: String

    public init(_ text: String) {
        self.text = text
    }

    public var revealed: String { text }
}

extension APIKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { Redaction.placeholder }
    public var debugDescription: String { "APIKey(\(Redaction.placeholder))" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
