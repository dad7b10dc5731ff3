import ArgumentParser

/// `reference-cloud`: the cloud side of PROTOCOL.md as a process, for scripts and demos.
@main
struct ReferenceCloudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference-cloud",
        abstract: "The reference cloud: device tokens, the WebSocket endpoint, durable acks, an admin API.",
        subcommands: [ServeCommand.self])
}
