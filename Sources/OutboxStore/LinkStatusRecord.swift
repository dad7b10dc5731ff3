import SQLiteDB

/// The `link_status` row: what the running service last reported about its link, for
/// `cloud-connector status` in another process. Free of secrets by construction (the link's texts are
/// cleaned before they get here; the URL is the display form).
public struct LinkStatusRecord: Sendable, Equatable {
    /// `LinkStatus.State`'s raw values, plus `standalone` (no cloud configured, R14).
    public var state: String
    public var sessionID: String?
    public var lastError: String?
    public var connectAttempts: Int64
    public var sessions: Int64
    public var tokenRefusals: Int64
    public var retryInMS: Int64?
    public var messagesSent: Int64
    public var messagesResent: Int64
    public var cloudURL: String?
    public var pid: Int64
    public var startedAtMS: Int64
    public var updatedAtMS: Int64

    public init(
        state: String, sessionID: String? = nil, lastError: String? = nil, connectAttempts: Int64 = 0,
        sessions: Int64 = 0, tokenRefusals: Int64 = 0, retryInMS: Int64? = nil, messagesSent: Int64 = 0,
        messagesResent: Int64 = 0, cloudURL: String? = nil, pid: Int64, startedAtMS: Int64, updatedAtMS: Int64
    ) {
        self.state = state
        self.sessionID = sessionID
        self.lastError = lastError
        self.connectAttempts = connectAttempts
        self.sessions = sessions
        self.tokenRefusals = tokenRefusals
        self.retryInMS = retryInMS
        self.messagesSent = messagesSent
        self.messagesResent = messagesResent
        self.cloudURL = cloudURL
        self.pid = pid
        self.startedAtMS = startedAtMS
        self.updatedAtMS = updatedAtMS
    }

    static let columns =
        "state, session_id, last_error, connect_attempts, sessions, token_refusals, retry_in_ms, messages_sent, "
        + "messages_resent, cloud_url, pid, started_at_ms, updated_at_ms"

    func write(_ db: Database) throws {
        try db.run(
            "INSERT OR REPLACE INTO link_status (singleton, \(Self.columns)) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(state), sessionID.map(SQLiteValue.text) ?? .null, lastError.map(SQLiteValue.text) ?? .null,
             .integer(connectAttempts), .integer(sessions), .integer(tokenRefusals),
             retryInMS.map(SQLiteValue.integer) ?? .null, .integer(messagesSent), .integer(messagesResent),
             cloudURL.map(SQLiteValue.text) ?? .null, .integer(pid), .integer(startedAtMS), .integer(updatedAtMS)])
    }

    static func read(_ db: Database) throws -> LinkStatusRecord? {
        let statement = try db.prepare("SELECT \(columns) FROM link_status WHERE singleton = 1")
        guard try statement.step() else { return nil }
        return LinkStatusRecord(
            state: statement.string(0), sessionID: statement.optionalString(1), lastError: statement.optionalString(2),
            connectAttempts: statement.int64(3), sessions: statement.int64(4), tokenRefusals: statement.int64(5),
            retryInMS: statement.isNull(6) ? nil : statement.int64(6), messagesSent: statement.int64(7),
            messagesResent: statement.int64(8), cloudURL: statement.optionalString(9), pid: statement.int64(10),
            startedAtMS: statement.int64(11), updatedAtMS: statement.int64(12))
    }
}
