/// A credential held by a value type: printing, dumping or interpolating the value shows
/// "<redacted>", so an executor logged with `\(executor)` or `dump` never leaks its token.
struct RedactedSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
