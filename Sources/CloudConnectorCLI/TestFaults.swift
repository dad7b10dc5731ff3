import Logging
@_spi(Faults) import OutboxStore

/// Test-only. `CLOUD_CONNECTOR_TEST_FAULTS=skipRedaction` makes `peek` print secrets without
/// --reveal, so the redaction test can show that it would catch a leak (its negative control).
/// Only that fault is honoured: the store's durability and ordering faults can never be switched on
/// from the environment of a real process.
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
}
