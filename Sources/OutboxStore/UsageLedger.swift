public import ConnectorCore
import SQLiteDB

/// One row of the usage ledger: everything billing needs from one usage_report.
public struct LedgerEntry: Sendable, Equatable {
    public var seq: Int64
    /// The envelope id and time of the usage_report message, kept after its log row is pruned.
    public var messageID: MessageID
    public var createdAtMS: Int64
    public var requestID: String
    public var reportedAtMS: Int64
    public var usage: UsageFields

    public var day: String { UTCDay.string(milliseconds: reportedAtMS) }

    public init(
        seq: Int64, messageID: MessageID, createdAtMS: Int64, requestID: String, reportedAtMS: Int64,
        usage: UsageFields
    ) {
        self.seq = seq
        self.messageID = messageID
        self.createdAtMS = createdAtMS
        self.requestID = requestID
        self.reportedAtMS = reportedAtMS
        self.usage = usage
    }

    init?(seq: Int64, messageID: MessageID, createdAtMS: Int64, fields: OutboxFields) {
        guard case .usage(let usage) = fields.detail else { return nil }
        self.init(
            seq: seq, messageID: messageID, createdAtMS: createdAtMS, requestID: fields.requestID,
            reportedAtMS: fields.timestampMS, usage: usage)
    }
}

enum UsageLedger {
    static let columns =
        "report_id, seq, request_id, tenant_id, workspace_id, model, day, reported_at_ms, executor_device_id, duration_ms, prompt_tokens, completion_tokens, total_tokens, cost_micros, currency, message_id, created_at_ms"

    static func insert(_ db: Database, _ entry: LedgerEntry) throws {
        let statement = try db.cached(
            "INSERT INTO usage_ledger (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        defer { statement.reset() }
        let usage = entry.usage
        try statement.bind(1, usage.reportID)
        try statement.bind(2, entry.seq)
        try statement.bind(3, entry.requestID)
        try statement.bind(4, usage.tenantID)
        try statement.bind(5, usage.workspaceID)
        try statement.bind(6, usage.model)
        try statement.bind(7, entry.day)
        try statement.bind(8, entry.reportedAtMS)
        try statement.bind(9, usage.executorDeviceID)
        try statement.bind(10, usage.durationMS)
        try statement.bind(11, usage.promptTokens)
        try statement.bind(12, usage.completionTokens)
        try statement.bind(13, usage.totalTokens)
        try statement.bind(14, usage.costMicros)
        try statement.bind(15, usage.currency)
        try statement.bind(16, blob: entry.messageID.bytes)
        try statement.bind(17, entry.createdAtMS)
        try statement.step()
    }

    static func read(_ db: Database, reportID: String) throws -> LedgerEntry? {
        let statement = try db.cached("SELECT \(columns) FROM usage_ledger WHERE report_id = ?")
        defer { statement.reset() }
        try statement.bind(1, reportID)
        return try statement.step() ? entry(statement) : nil
    }

    /// Visits ledger rows in seq order, one short read at a time is the caller's business.
    static func forEach(_ db: Database, where clause: String = "", _ values: [SQLiteValue] = [],
                        _ body: (LedgerEntry) throws -> Void) throws {
        let statement = try db.prepare("SELECT \(columns) FROM usage_ledger \(clause)")
        try statement.bind(values)
        while try statement.step() {
            try body(entry(statement))
        }
    }

    static func entry(_ statement: Statement) -> LedgerEntry {
        let usage = UsageFields(
            reportID: statement.string(0), executorDeviceID: statement.string(8),
            tenantID: statement.string(3), workspaceID: statement.string(4), model: statement.string(5),
            durationMS: statement.int64(9), promptTokens: statement.int64(10),
            completionTokens: statement.int64(11), totalTokens: statement.int64(12),
            costMicros: statement.int64(13), currency: statement.string(14))
        return LedgerEntry(
            seq: statement.int64(1), messageID: MessageID(bytes: statement.blob(15)) ?? MessageID.zero,
            createdAtMS: statement.int64(16), requestID: statement.string(2),
            reportedAtMS: statement.int64(7), usage: usage)
    }
}
