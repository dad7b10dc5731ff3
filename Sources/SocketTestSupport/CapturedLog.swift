public import Logging
import Synchronization

/// Tests only. Every line a service logged, with its metadata, for tests that check what was
/// (and was not) logged.
public final class CapturedLog: Sendable {
    public struct Line: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: Logger.Metadata

        /// The line as any handler would print it, metadata included.
        public var text: String { "\(level) \(message) \(metadata.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))" }
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    public var all: [Line] { lines.withLock { $0 } }

    public func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    fileprivate func add(_ line: Line) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.add(Line(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}
