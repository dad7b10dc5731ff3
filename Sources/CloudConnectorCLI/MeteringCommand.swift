import ArgumentParser

struct MeteringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metering",
        abstract: "Usage totals and billing exports from the usage ledger (one row per usage_report).",
        discussion: """
            Day ranges are half-open UTC days [--from, --to): --from 2026-11-01 --to 2026-12-01 is \
            November. Amounts are exact decimals computed from integer micro-units, per currency.
            """,
        subcommands: [MeteringTotalsCommand.self, MeteringExportCommand.self])
}
