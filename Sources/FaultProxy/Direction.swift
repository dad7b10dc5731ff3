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

/// The side of a connection that `FaultProxy.halfOpen` makes vanish.
public enum VanishedPeer: Sendable, Hashable, CustomStringConvertible {
    /// The server's host or a NAT on its way died: the client's socket stays open and hears nothing.
    case upstream
    /// The client's network died: the upstream's socket stays open and hears nothing.
    case client

    public var description: String { self == .upstream ? "upstream" : "client" }
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
    /// `halfOpen` requests that found at least one open connection.
    public var halfOpens = 0
    /// Connections turned half-open.
    public var connectionsHalfOpened = 0
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
