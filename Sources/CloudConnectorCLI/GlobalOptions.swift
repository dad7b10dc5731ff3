import ArgumentParser

/// The options of every command that touches the data directory.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory holding device_id and outbox.sqlite. Default: $CLOUD_CONNECTOR_DATA_DIR, else ~/.mindscape. Example: --data-dir /var/lib/mindscape",
            valueName: "path"))
    var dataDirectory: String?

    @Flag(help: "Print the result as JSON on stdout instead of a table (shapes in docs/cli.md). Example: --json")
    var json = false
}
