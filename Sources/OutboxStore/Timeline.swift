public import ConnectorCore
import SQLiteDB

/// `timeline REQUEST_ID`: an execution's summary and the events the log still holds, in order.
public struct Timeline: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        public let seq: Int64
        public let eventType: ExecutionEventType
        public let eventAtMS: Int64
        public let createdAtMS: Int64
        public let acked: Bool
        /// What a reader wants to see of the event: the job type, progress, or the error.
        public let detail: String?
    }

    public let summary: ExecutionSummary
    public let events: [Event]
    /// Events folded into the summary but no longer in the log (retention or the size bound).
    public var retiredEvents: Int64 { summary.eventCount - Int64(events.count) }
}

extension OutboxReader {
    public func timeline(requestID: String) throws -> Timeline? {
        try mapped("reading a timeline") {
            guard let summary = try ExecutionTable.live.read(db, requestID: requestID) else { return nil }
            let statement = try db.prepare(
                """
                SELECT \(Self.rowColumns), payload, (SELECT acked_seq FROM sequence_state) FROM outbox
                WHERE seq BETWEEN ? AND ? AND request_id = ? AND type = 1 ORDER BY seq
                """)
            // The summary records the seq range of the execution's events: read just that range.
            try statement.bind(1, summary.firstSeq)
            try statement.bind(2, summary.lastSeq)
            try statement.bind(3, StoredKey.encode(requestID))
            var events: [Timeline.Event] = []
            while try statement.step() {
                let message = try message(statement, withPayload: true, ackedSeq: statement.int64(13))
                guard let eventType = message.eventType else { continue }
                events.append(
                    Timeline.Event(
                        seq: message.seq, eventType: eventType, eventAtMS: message.eventAtMS,
                        createdAtMS: message.createdAtMS, acked: message.acked,
                        detail: Self.detail(of: message.payload, eventType: eventType)))
            }
            return Timeline(summary: summary, events: events)
        }
    }

    static func detail(of payload: [UInt8], eventType: ExecutionEventType) -> String? {
        guard let data = (try? JSON.parse(payload))?["data"] else { return nil }
        switch eventType {
        case .accepted:
            return data["job_type"]?.stringValue.map { "job_type \($0)" }
        case .progress:
            var parts: [String] = []
            if let fraction = data["progress"]?.numberValue?.double {
                parts.append("\(Int((fraction * 100).rounded()))%")
            }
            if let text = data["message"]?.stringValue { parts.append(text) }
            return parts.isEmpty ? nil : parts.joined(separator: " ")
        case .failed:
            guard let error = data["error"] else { return nil }
            let code = error["code"]?.stringValue ?? "?"
            let message = error["message"]?.stringValue ?? ""
            let retryable = error["retryable"]?.boolValue == true ? " (retryable)" : ""
            return "\(code): \(message)\(retryable)"
        case .cancelled:
            return data["reason"]?.stringValue
        case .started, .completed:
            return nil
        }
    }
}
