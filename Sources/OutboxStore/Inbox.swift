import SQLiteDB

/// One `inbox` row: a request the cloud sent and how far this device got with it (R11, R13).
public struct InboxEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case executionRequest = "execution_request"
        case messagingEvent = "messaging_event"
    }

    public var requestID: String
    public var kind: Kind
    public var isOpen: Bool
    public var jobType: String?
    public var workspaceID: String?
    public var receivedAtMS: Int64
    public var doneAtMS: Int64?
    public var outcome: String?
    /// When an execution started, and its latest output (progress or usage) as recorded.
    public var startedAtMS: Int64?
    public var lastOutputAtMS: Int64?
    /// The usage an open execution reported so far, as JSON (the connector's own record, see `progress`).
    public var usageSoFar: String?
}

/// Inbox rows that commit in the same unit as the event or reply answering the request.
public enum InboxRows {
    /// Records an accepted request as open; fails the whole unit if the request id is already known,
    /// so two deliveries racing each other can never both be accepted.
    public static func open(
        _ requestID: String, kind: InboxEntry.Kind, jobType: String?, workspaceID: String?, atMS: Int64
    ) -> UnitRows {
        { db, _ in
            try db.run(
                "INSERT INTO inbox (request_id, kind, state, job_type, workspace_id, received_at_ms) VALUES (?, ?, 'open', ?, ?, ?)",
                [.text(requestID), .text(kind.rawValue), jobType.map(SQLiteValue.text) ?? .null,
                 workspaceID.map(SQLiteValue.text) ?? .null, .integer(atMS)])
        }
    }

    /// Records a request answered at once (refused, or a reply sent straight away): done from the start.
    public static func answered(
        _ requestID: String, kind: InboxEntry.Kind, jobType: String?, outcome: String, atMS: Int64
    ) -> UnitRows {
        { db, _ in
            try db.run(
                """
                INSERT INTO inbox (request_id, kind, state, job_type, received_at_ms, done_at_ms, outcome)
                VALUES (?, ?, 'done', ?, ?, ?, ?)
                """,
                [.text(requestID), .text(kind.rawValue), jobType.map(SQLiteValue.text) ?? .null, .integer(atMS),
                 .integer(atMS), .text(outcome)])
        }
    }

    /// An open execution started: the start of its duration if a crash interrupts it.
    public static func started(_ requestID: String, atMS: Int64) -> UnitRows {
        { db, _ in
            try db.run(
                "UPDATE inbox SET started_at_ms = ?, last_output_at_ms = ? WHERE request_id = ? AND state = 'open'",
                [.integer(atMS), .integer(atMS), .text(requestID)])
        }
    }

    /// An open execution gave a sign of life (progress, or a usage line with its totals so far):
    /// what it used up to here is billed even if a crash interrupts it.
    public static func progress(_ requestID: String, usageSoFar: String?, atMS: Int64) -> UnitRows {
        { db, _ in
            try db.run(
                """
                UPDATE inbox SET last_output_at_ms = max(coalesce(last_output_at_ms, 0), ?),
                    usage_so_far = coalesce(?, usage_so_far)
                WHERE request_id = ? AND state = 'open'
                """,
                [.integer(atMS), usageSoFar.map(SQLiteValue.text) ?? .null, .text(requestID)])
        }
    }

    /// Closes an open request; fails the unit if it was not open (it must end exactly once, R13).
    public static func close(_ requestID: String, outcome: String, atMS: Int64) -> UnitRows {
        { db, _ in
            try db.run(
                "UPDATE inbox SET state = 'done', done_at_ms = max(?, received_at_ms), outcome = ? WHERE request_id = ? AND state = 'open'",
                [.integer(atMS), .text(outcome), .text(requestID)])
            guard db.changes == 1 else {
                throw OutboxError.unitRejected(reason: "request \(requestID) is not open in the inbox; it was already answered")
            }
        }
    }
}

extension OutboxReader {
    public func inboxEntry(requestID: String) throws -> InboxEntry? {
        try mapped("reading the inbox") {
            let statement = try db.cached("SELECT \(Self.inboxColumns) FROM inbox WHERE request_id = ?")
            defer { statement.reset() }
            try statement.bind(1, requestID)
            return try statement.step() ? Self.inboxEntry(statement) : nil
        }
    }

    /// Requests accepted and not answered, oldest first: at start-up, what a crash interrupted.
    public func openInboxEntries(kind: InboxEntry.Kind) throws -> [InboxEntry] {
        try mapped("reading the inbox") {
            let statement = try db.prepare(
                "SELECT \(Self.inboxColumns) FROM inbox WHERE state = 'open' AND kind = ? ORDER BY received_at_ms")
            try statement.bind(1, kind.rawValue)
            var entries: [InboxEntry] = []
            while try statement.step() { entries.append(Self.inboxEntry(statement)) }
            return entries
        }
    }

    static let inboxColumnNames = [
        "request_id", "kind", "state", "job_type", "workspace_id", "received_at_ms", "done_at_ms", "outcome",
        "started_at_ms", "last_output_at_ms", "usage_so_far",
    ]
    static let inboxColumns = inboxColumnNames.joined(separator: ", ")

    static func inboxEntry(_ statement: Statement) -> InboxEntry {
        InboxEntry(
            requestID: statement.string(0), kind: InboxEntry.Kind(rawValue: statement.string(1)) ?? .executionRequest,
            isOpen: statement.string(2) == "open", jobType: statement.optionalString(3),
            workspaceID: statement.optionalString(4), receivedAtMS: statement.int64(5),
            doneAtMS: statement.isNull(6) ? nil : statement.int64(6), outcome: statement.optionalString(7),
            startedAtMS: statement.isNull(8) ? nil : statement.int64(8),
            lastOutputAtMS: statement.isNull(9) ? nil : statement.int64(9), usageSoFar: statement.optionalString(10))
    }
}

extension OutboxStore {
    /// Forgets answered requests answered before `beforeMS` (inbox retention): a redelivery after
    /// that would run again, so the retention must outlast any cloud's redelivery window. Open rows
    /// are never removed. Returns how many rows went.
    @discardableResult
    public func pruneInbox(answeredBeforeMS beforeMS: Int64) throws -> Int {
        try perform { session in
            try session.db.run("DELETE FROM inbox WHERE state = 'done' AND done_at_ms < ?", [.integer(beforeMS)])
            return session.db.changes
        }
    }
}
