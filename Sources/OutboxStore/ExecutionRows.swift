import SQLiteDB

/// Reads and writes `ExecutionSummary` rows in `executions` (the live projection) and
/// `execution_retired` (the fold of events removed from the log). Both tables share one shape.
enum ExecutionTable: String {
    case live = "executions"
    case retired = "execution_retired"

    static let columns =
        "request_id, job_type, job_type_seq, status, first_event_ms, last_event_ms, first_seq, last_seq, terminal_seq, terminal_at_ms, duration_ms, event_count"

    func read(_ db: Database, requestID: String) throws -> ExecutionSummary? {
        let statement = try db.cached("SELECT \(Self.columns) FROM \(rawValue) WHERE request_id = ?")
        defer { statement.reset() }
        try statement.bind(1, requestID)
        return try statement.step() ? Self.summary(statement) : nil
    }

    func upsert(_ db: Database, _ summary: ExecutionSummary) throws {
        let statement = try db.cached(
            """
            INSERT INTO \(rawValue) (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (request_id) DO UPDATE SET job_type = excluded.job_type,
                job_type_seq = excluded.job_type_seq, status = excluded.status,
                first_event_ms = excluded.first_event_ms, last_event_ms = excluded.last_event_ms,
                first_seq = excluded.first_seq, last_seq = excluded.last_seq,
                terminal_seq = excluded.terminal_seq, terminal_at_ms = excluded.terminal_at_ms,
                duration_ms = excluded.duration_ms, event_count = excluded.event_count
            """)
        defer { statement.reset() }
        try statement.bind(1, summary.requestID)
        try statement.bind(2, summary.jobType)
        try statement.bind(3, summary.jobTypeSeq)
        try statement.bind(4, summary.status.rawValue)
        try statement.bind(5, summary.firstEventMS)
        try statement.bind(6, summary.lastEventMS)
        try statement.bind(7, summary.firstSeq)
        try statement.bind(8, summary.lastSeq)
        try statement.bind(9, summary.terminalSeq)
        try statement.bind(10, summary.terminalAtMS)
        try statement.bind(11, summary.durationMS)
        try statement.bind(12, summary.eventCount)
        try statement.step()
    }

    /// Folds `summary` into the stored row (or stores it).
    func merge(_ db: Database, _ summary: ExecutionSummary) throws {
        if let existing = try read(db, requestID: summary.requestID) {
            try upsert(db, existing.merged(summary))
        } else {
            try upsert(db, summary)
        }
    }

    func readAll(_ db: Database) throws -> [String: ExecutionSummary] {
        let statement = try db.prepare("SELECT \(Self.columns) FROM \(rawValue)")
        var result: [String: ExecutionSummary] = [:]
        while try statement.step() {
            let summary = try Self.summary(statement)
            result[summary.requestID] = summary
        }
        return result
    }

    static func summary(_ statement: Statement) throws -> ExecutionSummary {
        guard let status = ExecutionSummary.Status(rawValue: statement.string(3)) else {
            throw OutboxError.corrupt(path: "", detail: "an execution row has status \(statement.string(3))")
        }
        return ExecutionSummary(
            requestID: statement.string(0), jobType: statement.optionalString(1),
            jobTypeSeq: statement.optionalInt64(2), status: status, firstEventMS: statement.int64(4),
            lastEventMS: statement.int64(5), firstSeq: statement.int64(6), lastSeq: statement.int64(7),
            terminalSeq: statement.optionalInt64(8), terminalAtMS: statement.optionalInt64(9),
            eventCount: statement.int64(11))
    }
}
