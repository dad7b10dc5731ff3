import ArgumentParser

@main
struct ReferenceCloudCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference-cloud", abstract: "The reference cloud (placeholder until it lands).")
}
