import ConnectorCore
import Foundation

/// What a run did and found, printed for people and as one JSON line for scripts.
struct Summary {
    var mode: String
    var seed: UInt64
    var cycles = 0
    var connectorKills = 0
    var cloudKills = 0
    var seconds = 0
    var faults: [String: Int] = [:]
    var proxyCuts = 0
    var proxyConnectionsHalfOpened = 0
    var returned: [ReturnedAppend] = []
    var tallies = Ledger.Tallies()
    var heldMessages = 0
    var lastSeq: Int64 = 0
    var cloudMessages = 0
    var cloudDuplicates = 0
    var connectorResends: Int64 = 0
    var sessions: Int64 = 0
    var connectAttempts: Int64 = 0
    var metricsReconnects: String?
    var executionsAccepted = 0
    var executionsInterrupted = 0
    var slowestDrain: Duration = .zero
    var cloudCheck = ""
    var violations: [Violation] = []
    var dataDirectory: String?

    private var returnedFresh: Int { returned.filter { !$0.duplicate }.count }
    private func returned(_ source: AppendSource) -> Int { returned.filter { $0.source == source }.count }

    var human: String {
        var lines = ["link torture: \(mode), seed \(seed)"]
        if mode == "crash-loop" {
            lines.append("  cycles          \(cycles): \(connectorKills) connector SIGKILLs, \(cloudKills) cloud SIGKILLs")
        } else {
            let list = faults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  faults          \(faults.values.reduce(0, +)) over \(seconds) s: \(list)")
            lines.append("  proxy           \(proxyCuts) cuts that closed connections, \(proxyConnectionsHalfOpened) connections made half-open")
            lines.append("  link            \(max(sessions - 1, 0)) reconnects (\(sessions) sessions, \(connectAttempts) attempts; /metrics reconnects_total \(metricsReconnects ?? "n/a"))")
        }
        lines.append("""
              returned        \(returned.count) appends answered: \(returned(.localAPI)) local API (\(returned.count - returnedFresh) of them \
            retries answered as duplicates), \(returned(.outboxAppend)) outbox append; \(tallies.usageUnanswered) posts unanswered \
            (a kill or a cut), \(tallies.usageRetries) retries
            """)
        lines.append("  device          \(heldMessages) messages held, last seq \(lastSeq); verify \(violations.count(.verify) == 0 ? "clean after every check" : "FAILED")")
        lines.append("""
              cloud           \(cloudMessages) messages; \(cloudDuplicates) re-acked duplicates (resends of what it held); the connector \
            reported \(connectorResends) resends
            """)
        let interrupted = mode == "crash-loop" ? ", \(executionsInterrupted) running at a connector SIGKILL" : ""
        lines.append("""
              executions      \(tallies.requestsSent) requests sent, \(executionsAccepted) accepted\(interrupted); \
            \(tallies.requestsNotConnected) not sent (device not connected)
            """)
        lines.append("  counted once    checked \(cloudCheck); slowest drain \(Self.seconds(slowestDrain))")
        lines.append("""
              violations      \(violations.losses) losses, \(violations.doubleCounts) double counts, \(violations.count(.verify)) verify \
            failures, \(violations.count(.r13)) R13, \(violations.count(.drain)) drains, \(violations.count(.process)) process
            """)
        for violation in violations.prefix(20) { lines.append("    \(violation)") }
        if violations.count > 20 { lines.append("    … \(violations.count - 20) more") }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var fields: [(String, JSONValue)] = [
            ("mode", .string(mode)), ("seed", .string(String(seed))),
        ]
        if mode == "crash-loop" {
            fields += [("cycles", int(cycles)), ("connector_kills", int(connectorKills)), ("cloud_kills", int(cloudKills))]
        } else {
            fields += [
                ("seconds", int(seconds)),
                ("faults", .object(JSONObject(faults.sorted { $0.key < $1.key }.map { ($0.key, int($0.value)) }))),
                ("proxy_cuts", int(proxyCuts)), ("reconnects", int(Int(max(sessions - 1, 0)))),
                ("connect_attempts", int(Int(connectAttempts))),
            ]
        }
        fields += [
            ("messages_appended", int(heldMessages)), ("last_seq", int(Int(lastSeq))), ("returned_appends", int(returned.count)),
            ("returned_as_duplicates", int(returned.count - returnedFresh)), ("cloud_messages", int(cloudMessages)),
            ("cloud_reacked_duplicates", int(cloudDuplicates)), ("connector_resends", int(Int(connectorResends))),
            ("executions_sent", int(tallies.requestsSent)), ("executions_accepted", int(executionsAccepted)),
            ("executions_interrupted", int(executionsInterrupted)), ("counted_once_checked", .string(cloudCheck)),
            ("losses", int(violations.losses)), ("double_counts", int(violations.doubleCounts)),
            ("verify_failures", int(violations.count(.verify))), ("r13_violations", int(violations.count(.r13))),
            ("drain_failures", int(violations.count(.drain))), ("process_failures", int(violations.count(.process))),
            ("violations", .array(violations.prefix(20).map { .string($0.description) })),
            ("clean", .bool(violations.isEmpty)), ("data_dir", dataDirectory.map { .string($0) } ?? .null),
        ]
        return String(decoding: JSON.encode(.object(JSONObject(fields))), as: UTF8.self)
    }

    private func int(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
