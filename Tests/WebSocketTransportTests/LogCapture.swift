import Logging

/// One captured log line.
struct LogRecord: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
}

/// A logger whose records a test can read back.
struct LogCapture {
    let logger: Logger
    private let records: RecordStore

    private init(logger: Logger, records: RecordStore) {
        self.logger = logger
        self.records = records
    }

    /// A capture that collects its logger's records from now on.
    static func start(label: String = "capture") -> LogCapture {
        let (stream, sink) = AsyncStream.makeStream(of: LogRecord.self)
        let store = RecordStore()
        Task { for await record in stream { await store.append(record) } }
        return LogCapture(logger: Logger(label: label) { _ in CapturingLogHandler(sink: sink) }, records: store)
    }

    /// Waits until a record matching `predicate` arrives.
    func waitFor(_ predicate: @escaping @Sendable (LogRecord) -> Bool) async -> Bool {
        await eventually { await records.all.contains(where: predicate) }
    }

    var all: [LogRecord] { get async { await records.all } }
}

private actor RecordStore {
    private(set) var all: [LogRecord] = []
    func append(_ record: LogRecord) { all.append(record) }
}

private struct CapturingLogHandler: LogHandler {
    let sink: AsyncStream<LogRecord>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.yield(LogRecord(
            level: event.level, message: event.message.description,
            metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
