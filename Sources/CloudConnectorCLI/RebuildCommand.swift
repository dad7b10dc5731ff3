import ArgumentParser
import ConnectorCore
import OutboxStore

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute every projection (timelines, usage ledger, totals) from the log and replace them.",
        discussion: """
            One transaction; on a healthy store nothing changes and 0 differences are reported. Ledger \
            rows whose usage_report vanished from the log without a prune record are kept (deleting \
            them would lose billing data) and listed by report_id.

            Examples:
              cloud-connector outbox rebuild
              cloud-connector outbox rebuild --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tuning: StoreTuningOptions

    func run() throws {
        let context = try CommandContext(global, tuning: tuning)
        let bar = ProgressBar.onTerminal("rebuild", unit: "seqs", json: context.json)
        let report = try context.withExistingStore { store in
            try store.rebuildProjections { done, total in bar?.update(done: done, total: total) }
        }
        bar?.finish()
        if context.json {
            Console.out(json: [
                "executions": .int(report.executions),
                "ledger_rows": .int(report.ledgerRows),
                "totals_rows": .int(report.totalsRows),
                "differences": .int(report.differences),
                "execution_differences": .int(report.executionDifferences),
                "ledger_differences": .int(report.ledgerDifferences),
                "totals_differences": .int(report.totalsDifferences),
                "ledger_rows_without_log": .array(report.ledgerRowsWithoutLog.map { .string($0) }),
            ])
            return
        }
        Console.out(lines: TextTable.keyValues([
            ("executions", String(report.executions)),
            ("ledger rows", String(report.ledgerRows)),
            ("totals rows", String(report.totalsRows)),
            ("differences", "\(report.differences) (executions \(report.executionDifferences), ledger \(report.ledgerDifferences), totals \(report.totalsDifferences))"),
            ("kept w/o log", "\(report.ledgerRowsWithoutLog.count) ledger rows"),
        ]))
        for reportID in report.ledgerRowsWithoutLog {
            Console.out("  kept ledger row without its log row: report_id \(reportID)")
        }
    }
}
