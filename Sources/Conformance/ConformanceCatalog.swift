/// Every check, in the order the kit runs them: the handshake first (every other check needs it),
/// then delivery, dedupe, heartbeats and bad frames.
public enum ConformanceCatalog {
    public static let all: [ConformanceCheck] =
        HandshakeChecks.all + DeliveryChecks.all + DedupeChecks.all + HeartbeatChecks.all + FrameChecks.all

    /// The checks `names` ask for, each a whole id (`R5.cumulative`) or a group (`R5`, `handshake`),
    /// in catalog order; an unknown name is an error that lists the known ones.
    public static func select(_ names: [String]) throws(UnknownCheck) -> [ConformanceCheck] {
        let wanted = Set(names.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })
        let known = Set(all.map(\.id)).union(all.map(\.group))
        if let unknown = wanted.sorted().first(where: { !known.contains($0) }) {
            throw UnknownCheck(name: unknown, groups: groups, ids: all.map(\.id))
        }
        return all.filter { wanted.contains($0.id) || wanted.contains($0.group) }
    }

    /// Groups in catalog order.
    public static var groups: [String] {
        var seen: [String] = []
        for check in all where !seen.contains(check.group) { seen.append(check.group) }
        return seen
    }
}

/// `--only` named no check.
public struct UnknownCheck: Error, Sendable, CustomStringConvertible {
    public let name: String
    public let groups: [String]
    public let ids: [String]

    public var description: String {
        "no check or group is called \(name); groups: \(groups.joined(separator: ", ")); checks: \(ids.joined(separator: ", "))"
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
