/// A setting, the data directory, the device identity or the directory lock is unusable. Each
/// message says what failed, why, and what to do; none ever contains a secret value.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An environment variable or flag has a value that cannot be used.
        case invalidSetting
        /// The data directory or a file in it cannot be created.
        case cannotCreate
        /// Reading or writing an existing file failed.
        case io
        /// The device id file exists but cannot be used; it is never replaced automatically.
        case identity
        /// Another process owns the data directory.
        case locked
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func invalid(_ name: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(.invalidSetting, "\(name) \(reason)")
    }
}
