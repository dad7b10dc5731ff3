import SQLiteDB

/// Direct writes to `metering_totals`, for rebuild only: appends reach it through the ledger trigger.
enum MeteringTotalsTable {
    static func replace(_ db: Database, key: TotalsKey, total: MeteringTotal) throws {
        try db.run(
            """
            INSERT OR REPLACE INTO metering_totals (tenant_id, day, workspace_id, model, currency, reports, duration_ms,
                prompt_tokens, completion_tokens, total_tokens, cost_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(key.tenantID), .text(key.day), .text(key.workspaceID), .text(key.model), .text(key.currency),
             .integer(total.reports), .integer(total.durationMS), .integer(total.promptTokens),
             .integer(total.completionTokens), .integer(total.totalTokens), .integer(total.costMicros)])
    }

    static func delete(_ db: Database, key: TotalsKey) throws {
        try db.run(
            "DELETE FROM metering_totals WHERE tenant_id = ? AND day = ? AND workspace_id = ? AND model = ? AND currency = ?",
            [.text(key.tenantID), .text(key.day), .text(key.workspaceID), .text(key.model), .text(key.currency)])
    }
}
