/// WebSocket close codes with the meanings PROTOCOL §6 gives them. The transport has its own type
/// for the wire; this one lets the pure core name the protocol's codes without depending on it.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let normal = CloseCode(1000)
    /// The device is shutting down.
    public static let goingAway = CloseCode(1001)
    public static let protocolError = CloseCode(4400)
    public static let unauthorized = CloseCode(4401)
    /// Tenant mismatch or otherwise forbidden.
    public static let forbidden = CloseCode(4403)
    /// Heartbeat (and handshake) timeout.
    public static let timeout = CloseCode(4408)

    public var description: String { String(rawValue) }
}
