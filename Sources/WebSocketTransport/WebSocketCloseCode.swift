/// A WebSocket close status code (RFC 6455 §7.4). Applications add their own 4xxx codes as
/// static members in an extension.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let normal = WebSocketCloseCode(1000)
    public static let goingAway = WebSocketCloseCode(1001)
    public static let protocolError = WebSocketCloseCode(1002)
    /// The peer sent a close frame without a status code.
    public static let noStatus = WebSocketCloseCode(1005)
    public static let messageTooBig = WebSocketCloseCode(1009)

    public var description: String { String(rawValue) }
}
