/// Which way bytes flow through the proxy, for the faults that apply to one way or both.
public struct Direction: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Client → upstream.
    public static let upstream = Direction(rawValue: 1)
    /// Upstream → client.
    public static let downstream = Direction(rawValue: 2)
    public static let both: Direction = [.upstream, .downstream]

    public var description: String {
        switch self {
        case .upstream: "upstream"
        case .downstream: "downstream"
        case .both: "both"
        default: "none"
        }
    }
}

/// What the proxy has done since it started.
public struct Stats: Sendable, Equatable {
    public var connectionsAccepted = 0
    /// Connections open right now (accepted and not yet closed).
    public var activeConnections = 0
    /// Cuts that closed at least one connection (manual or scheduled): a cut of an empty proxy
    /// causes no reconnect, so it is not counted here.
    public var cuts = 0
    /// Cut requests in all, including those that found no connection.
    public var cutAttempts = 0
    /// Connections closed by cuts.
    public var connectionsCut = 0
    /// Connections dropped because the upstream connect failed.
    public var upstreamConnectFailures = 0
    /// Bytes written to the upstream side.
    public var bytesUpstream = 0
    /// Bytes written to the client side.
    public var bytesDownstream = 0

    public init() {}
}

/// Why the proxy could not start.
public struct FaultProxyError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    public var description: String { "\(operation) failed: \(errorText(code)) (errno \(code))" }
}
