/// The device token from `GET /device-token` (PROTOCOL §3). It is a credential, so every way Swift
/// can turn a value into text (print, string interpolation, debugPrint, dump, Mirror) shows a
/// placeholder; only `revealed` gives the text, for the two places it goes on the wire.
public struct DeviceToken: Sendable, Hashable {
    private let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// The token itself: for the `Authorization` header and the `connect` frame, nothing else.
    public var revealed: String { text }

    public var isEmpty: Bool { text.isEmpty }
}

extension DeviceToken: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { Redaction.placeholder }
    public var debugDescription: String { "DeviceToken(\(Redaction.placeholder))" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
