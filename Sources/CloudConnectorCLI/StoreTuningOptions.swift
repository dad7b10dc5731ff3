import ArgumentParser

/// Store settings that matter to commands that write: they must match the service's, or an append
/// from the CLI would apply another size bound than the service does.
struct StoreTuningOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Commit durability: full (fsync every commit; the default) or normal (faster; the last commits can be lost on power loss). Overrides $OUTBOX_DURABILITY. Example: --durability full",
            valueName: "full|normal"))
    var durability: String?

    @Option(
        name: .customLong("max-outbox-bytes"),
        help: ArgumentHelp(
            "Bound on the bytes the outbox holds; when reached, unacked progress events are dropped first, then appends fail with exit 75. Overrides $OUTBOX_MAX_BYTES; default 512MiB. Example: --max-outbox-bytes 1GiB",
            valueName: "size"))
    var maxOutboxBytes: String?
}
