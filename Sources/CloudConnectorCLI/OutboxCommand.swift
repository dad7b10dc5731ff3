import ArgumentParser

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Look into, check, maintain and append to the outbox (<data>/outbox.sqlite).",
        discussion: """
            Read commands (inspect, stats, peek, verify) never create anything: on a data directory \
            without an outbox they exit 66. All commands work beside a running service through \
            SQLite's own locking. salvage brings back the messages of a file `run` quarantined.
            """,
        subcommands: [
            InspectCommand.self, StatsCommand.self, PeekCommand.self, VerifyCommand.self, RebuildCommand.self,
            PruneCommand.self, AppendCommand.self, SalvageCommand.self,
        ])
}
