import ArgumentParser
import ConnectorCore
import OutboxStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Full check: SQLite integrity, seq order, payloads, and every projection against the log.",
        discussion: """
            Prints each finding as [check] message, then a summary. Exits 0 when clean and 1 when \
            anything differs (outbox rebuild recomputes the projections). Runs on one consistent \
            snapshot while the service keeps appending.

            Examples:
              cloud-connector outbox verify
              cloud-connector outbox verify --json
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let report = try context.withReader { reader, _ in try reader.verify() }
        if context.json {
            Console.out(json: [
                "clean": .bool(report.isClean),
                "messages_checked": .int(report.messagesChecked),
                "ledger_rows_checked": .int(report.ledgerRowsChecked),
                "executions_checked": .int(report.executionsChecked),
                "totals_checked": .int(report.totalsChecked),
                "findings": .array(report.findings.map { ["check": .string($0.check), "message": .string($0.message)] }),
                "unlisted_findings": .int(report.unlistedFindings),
            ])
        } else {
            for finding in report.findings { Console.out(finding.description) }
            if report.unlistedFindings > 0 { Console.out("... and \(report.unlistedFindings) more findings") }
            let checked = "\(report.messagesChecked) messages, \(report.ledgerRowsChecked) ledger rows, \(report.executionsChecked) executions, \(report.totalsChecked) totals rows checked"
            let count = Int64(report.findings.count) + report.unlistedFindings
            Console.out(report.isClean ? "verify: clean — \(checked)" : "verify: \(count) finding\(count == 1 ? "" : "s") — \(checked)")
        }
        if !report.isClean { throw ExitCode(ExitStatus.differences.rawValue) }
    }
}
