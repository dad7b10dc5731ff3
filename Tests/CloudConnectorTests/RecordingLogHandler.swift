import Logging
import Synchronization

/// Keeps what was logged, so a test can check that a warning was given.
final class LogRecords: Sendable {
    private let entries = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])

    func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        entries.withLock { $0.append((level, message, metadata)) }
    }

    var warnings: [(String, Logger.Metadata)] {
        entries.withLock { $0.filter { $0.0 == .warning }.map { ($0.1, $0.2) } }
    }

    func logger() -> Logger {
        Logger(label: "test.records") { _ in RecordingLogHandler(records: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
