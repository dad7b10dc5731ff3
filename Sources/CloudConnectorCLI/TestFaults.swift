@_spi(Faults) import CloudConnector
import Logging
@_spi(Faults) import OutboxStore

/// Test-only fault switches read from `CLOUD_CONNECTOR_TEST_FAULTS` (a comma-separated list), so a
/// test can show that its check would catch the break (negative controls).
///
/// - `skipRedaction`, in every build: `peek` prints secrets without --reveal (the redaction test).
/// - `returnBeforeCommit` and `looseFileModes` (the store), `skipResend` and `logSecrets` (the
///   link), honoured by
///   `run` only in debug builds (the `CLOUD_CONNECTOR_TEST_FAULTS` compilation condition, set for
///   debug in Package.swift): the torture runs (`tools/crash-loop`, `tools/chaos`) need them in
///   the real process they SIGKILL. A release build, the one that ships, never honours them and
///   says so: durability and delivery faults can never be switched on in a shipped binary.
enum TestFaults {
    static let variable = "CLOUD_CONNECTOR_TEST_FAULTS"

    static func active(_ environment: [String: String], logger: Logger) -> OutboxFaults {
        guard let text = environment[variable] else { return [] }
        let faults = OutboxFaults.parse(text).intersection(.skipRedaction)
        if !faults.isEmpty {
            logger.warning("test fault active: secret values are NOT redacted", metadata: ["variable": "\(variable)"])
        }
        return faults
    }

    /// The faults `run` honours, and only in debug builds.
    static func forRun(_ environment: [String: String], logger: Logger) -> (store: OutboxFaults, link: LinkFaults) {
        guard let text = environment[variable], !text.isEmpty else { return ([], []) }
        let names = text.split(separator: ",").map(String.init)
        let store = OutboxFaults.parse(text).intersection([.returnBeforeCommit, .looseFileModes])
        var link: LinkFaults = []
        if names.contains("skipResend") { link.insert(.skipResend) }
        if names.contains("logSecrets") { link.insert(.logSecrets) }
        #if CLOUD_CONNECTOR_TEST_FAULTS
            if !store.isEmpty || !link.isEmpty {
                logger.warning(
                    "test fault active: this process breaks delivery guarantees on purpose",
                    metadata: ["variable": "\(variable)", "faults": "\(text)"])
            }
            return (store, link)
        #else
            if !store.isEmpty || !link.isEmpty {
                logger.warning(
                    "test faults ignored: only debug builds honour them", metadata: ["variable": "\(variable)", "faults": "\(text)"])
            }
            return ([], [])
        #endif
    }
}
