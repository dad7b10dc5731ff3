import ConnectorCore
import SQLiteDB

/// How `metering totals` groups rows. Currency is always a grouping key: costs in different
/// currencies are never added together.
public struct MeteringGrouping: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let day = MeteringGrouping(rawValue: 1)
    public static let workspace = MeteringGrouping(rawValue: 2)
    public static let model = MeteringGrouping(rawValue: 4)
}

public struct MeteringTotal: Sendable, Equatable {
    public var day: String?
    public var workspaceID: String?
    public var model: String?
    public var currency: String
    public var reports: Int64 = 0
    public var durationMS: Int64 = 0
    public var promptTokens: Int64 = 0
    public var completionTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var costMicros: Int64 = 0

    public init(day: String? = nil, workspaceID: String? = nil, model: String? = nil, currency: String) {
        self.day = day
        self.workspaceID = workspaceID
        self.model = model
        self.currency = currency
    }

    public mutating func add(_ entry: LedgerEntry) {
        reports += 1
        durationMS += entry.usage.durationMS
        promptTokens += entry.usage.promptTokens
        completionTokens += entry.usage.completionTokens
        totalTokens += entry.usage.totalTokens
        costMicros += entry.usage.costMicros
    }
}

extension OutboxReader {
    /// Totals for the half-open UTC day range [fromDay, toDay) ("YYYY-MM-DD"), read from the
    /// metering_totals projection.
    public func meteringTotals(fromDay: String, toDay: String, groupBy: MeteringGrouping) throws -> [MeteringTotal] {
        try mapped("reading metering totals") {
            var keys: [String] = []
            if groupBy.contains(.day) { keys.append("day") }
            if groupBy.contains(.workspace) { keys.append("workspace_id") }
            if groupBy.contains(.model) { keys.append("model") }
            keys.append("currency")
            let keyList = keys.joined(separator: ", ")
            let statement = try db.prepare(
                """
                SELECT \(keyList), sum(reports), sum(duration_ms), sum(prompt_tokens), sum(completion_tokens),
                       sum(total_tokens), sum(cost_micros)
                FROM metering_totals WHERE day >= ? AND day < ? GROUP BY \(keyList) ORDER BY \(keyList)
                """)
            try statement.bind(1, fromDay)
            try statement.bind(2, toDay)
            var totals: [MeteringTotal] = []
            while try statement.step() {
                var column: Int32 = 0
                func next() -> String {
                    defer { column += 1 }
                    return statement.string(column)
                }
                let day = groupBy.contains(.day) ? next() : nil
                let workspace = groupBy.contains(.workspace) ? next() : nil
                let model = groupBy.contains(.model) ? next() : nil
                var total = MeteringTotal(day: day, workspaceID: workspace, model: model, currency: next())
                total.reports = statement.int64(column)
                total.durationMS = statement.int64(column + 1)
                total.promptTokens = statement.int64(column + 2)
                total.completionTokens = statement.int64(column + 3)
                total.totalTokens = statement.int64(column + 4)
                total.costMicros = statement.int64(column + 5)
                totals.append(total)
            }
            return totals
        }
    }

    /// One page of usage-ledger rows in [fromDay, toDay), ordered by (day, seq), after `cursor`. Exports
    /// page through the ledger so memory stays flat whatever the period.
    public func usagePage(fromDay: String, toDay: String, after cursor: UsageCursor?, limit: Int) throws -> [LedgerEntry] {
        try mapped("reading the usage ledger") {
            let start = cursor ?? UsageCursor(day: fromDay, seq: 0)
            var page: [LedgerEntry] = []
            try UsageLedger.forEach(
                db, where: "WHERE (day, seq) > (?, ?) AND day >= ? AND day < ? ORDER BY day, seq LIMIT ?",
                [.text(start.day), .integer(start.seq), .text(fromDay), .text(toDay), .integer(Int64(limit))]
            ) { page.append($0) }
            return page
        }
    }
}

public struct UsageCursor: Sendable, Equatable {
    public let day: String
    public let seq: Int64

    public init(day: String, seq: Int64) {
        self.day = day
        self.seq = seq
    }

    public init(after entry: LedgerEntry) {
        self.init(day: entry.day, seq: entry.seq)
    }
}
