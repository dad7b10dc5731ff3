import CloudConnector
import Conformance
import ConnectorCore
import Foundation

/// What `conformance` prints: a table whose rows appear as checks end (a run against a remote cloud
/// takes a while), or one JSON document at the end. Never the API key or a token.
struct ConformanceOutput: Sendable {
    let configuration: ConformanceConfiguration
    let checks: [ConformanceCheck]
    let json: Bool

    static let columns: [TextTable.Column] = [.left("check"), .left("rule"), .left("result"), .left("detail")]

    /// Widths known before any check ran, so rows can be printed one by one and still line up.
    var widths: [Int] {
        var table = TextTable(Self.columns)
        for check in checks { table.add([check.id, check.rule, "pass", ""]) }
        return table.widths
    }

    func header() {
        guard !json else { return }
        let endpoint = configuration.endpoint
        var pairs: [(String, String)] = [
            ("cloud", endpoint.displayWebSocketURL),
            ("api", endpoint.displayAPIURL + (endpoint.apiURLIsDerived ? "  (derived from the WebSocket URL)" : "")),
            ("api key", configuration.apiKey == nil ? "unset" : "set"),
            ("tenant", configuration.tenantID),
            ("devices", "\(configuration.deviceIDPrefix)<random UUID>, one per check"),
        ]
        if configuration.tls.allowInsecure { pairs.append(("tls", "certificates NOT verified (--insecure)")) }
        Console.out(lines: TextTable.keyValues(pairs) + [""])
        Console.out(TextTable(Self.columns).header(widths))
    }

    func row(_ result: CheckResult) {
        guard !json else { return }
        Console.out(TextTable(Self.columns).line([result.id, result.rule, result.outcome.status, result.outcome.detail], widths))
    }

    func summary(_ results: [CheckResult]) {
        let passed = results.count { $0.outcome.status == "pass" }
        let failed = results.count { $0.outcome.isFailure }
        let skipped = results.count { $0.outcome.status == "skip" }
        guard json else {
            Console.out("")
            Console.out("\(results.count) check\(results.count == 1 ? "" : "s"): \(passed) passed, \(failed) failed, \(skipped) skipped")
            return
        }
        let endpoint = configuration.endpoint
        Console.out(json: [
            "cloud_ws_url": .string(endpoint.displayWebSocketURL),
            "cloud_api_url": .string(endpoint.displayAPIURL),
            "api_key": .string(configuration.apiKey == nil ? "unset" : "set"),
            "tenant_id": .string(configuration.tenantID),
            "device_id_prefix": .string(configuration.deviceIDPrefix),
            "timeout_ms": .int(Self.milliseconds(configuration.timeout)),
            "passed": .int(passed), "failed": .int(failed), "skipped": .int(skipped),
            "ok": .bool(failed == 0),
            "checks": .array(results.map { result in
                [
                    "id": .string(result.id), "rule": .string(result.rule), "summary": .string(result.summary),
                    "result": .string(result.outcome.status), "detail": .string(result.outcome.detail),
                    "device_id": .string(result.deviceID),
                    "duration_ms": .int(Self.milliseconds(result.duration)),
                ]
            }),
        ])
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func list(_ checks: [ConformanceCheck], json: Bool) {
        if json {
            Console.out(json: .array(checks.map { ["id": .string($0.id), "rule": .string($0.rule), "summary": .string($0.summary)] }))
            return
        }
        var table = TextTable([.left("check"), .left("rule"), .left("what is checked")])
        for check in checks { table.add([check.id, check.rule, check.summary]) }
        Console.out(lines: table.render())
    }
}
