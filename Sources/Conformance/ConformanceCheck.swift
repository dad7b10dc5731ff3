/// One rule of PROTOCOL.md, checked against a cloud by playing a device of its own.
public struct ConformanceCheck: Sendable {
    /// `group.name`, e.g. `R5.cumulative`; `--only` takes a whole id or a group.
    public let id: String
    /// The PROTOCOL.md section or rule it covers, e.g. `R5` or `§3.4`.
    public let rule: String
    /// One line: what the kit does and what it expects.
    public let summary: String
    let body: @Sendable (CheckProbe) async throws(CheckStop) -> String

    init(
        _ id: String, rule: String, _ summary: String,
        body: @escaping @Sendable (CheckProbe) async throws(CheckStop) -> String
    ) {
        self.id = id
        self.rule = rule
        self.summary = summary
        self.body = body
    }

    /// The part of the id before the first dot: `R5`, `handshake`.
    public var group: String { String(id.prefix { $0 != "." }) }
}

/// What one check found.
public struct CheckResult: Sendable {
    public let id: String
    public let rule: String
    public let summary: String
    public let outcome: CheckOutcome
    /// The device id the check played; the cloud's logs for it can be found by this.
    public let deviceID: String
    public let duration: Duration
}
