import SQLiteDB

/// The cloud's own durable store: messages keyed by (device_id, seq) and by id, per-device acked_seq
/// and duplicate counts, and issued tokens (so a restarted cloud still honours them).
/// An actor because `Database` belongs to one owner; every ack waits for a commit here.
actor CloudStore {
    private let db: Database

    init(path: String) throws(SQLiteError) {
        db = try Database(path: path)
        db.setBusyTimeout(milliseconds: 5000)
        // WAL + synchronous=FULL: a COMMIT that returned survives power loss, which is what an ack promises.
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
        try db.execute(Self.schema)
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS messages(
            device_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
            tenant_id TEXT NOT NULL, ts TEXT NOT NULL, payload TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
            total_tokens INTEGER NOT NULL DEFAULT 0, cost_micros INTEGER NOT NULL DEFAULT 0,
            UNIQUE(device_id, seq));
        CREATE TABLE IF NOT EXISTS devices(
            device_id TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS tokens(
            token TEXT PRIMARY KEY, device_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
            expires_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS resent_copies(
            device_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
            payload TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
            total_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL);
        """

    /// Stored messages plus, under the `countResends` fault, the duplicates it kept as copies:
    /// what every count, total and listing reads, so the fault shows wherever anyone looks.
    private static let heldMessages = """
        (SELECT device_id, seq, id, type, payload, prompt_tokens, completion_tokens, total_tokens, cost_micros
            FROM messages
         UNION ALL
         SELECT device_id, seq, id, type, payload, prompt_tokens, completion_tokens, total_tokens, cost_micros
            FROM resent_copies)
        """

    /// The outcome of storing one burst.
    struct BatchResult: Sendable {
        var ackedSeq: Int64
        var stored: Int
        var duplicates: Int
    }

    /// Stores a burst in one transaction. INSERT OR IGNORE turns both UNIQUE keys into R6: a row
    /// that changes nothing is a duplicate. acked_seq only grows, and also covers a duplicate's seq
    /// (a message known by id under a new seq must still be acked, or the device resends forever).
    /// `countResends` (a fault) keeps each duplicate as a copy that counts, instead.
    func store(deviceID: String, _ batch: [InboundOutboxMessage], countResends: Bool = false) throws -> BatchResult {
        try db.transaction {
            var stored = 0
            var duplicates = 0
            var highest: Int64 = 0
            for message in batch {
                try db.run(
                    """
                    INSERT OR IGNORE INTO messages(device_id, seq, id, type, tenant_id, ts, payload,
                        prompt_tokens, completion_tokens, total_tokens, cost_micros)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?)
                    """,
                    [
                        .text(deviceID), .integer(message.seq), .text(message.id), .text(message.type),
                        .text(message.tenantID), .text(message.ts), .text(message.payload),
                        .integer(message.usage.promptTokens), .integer(message.usage.completionTokens),
                        .integer(message.usage.totalTokens), .integer(message.usage.costMicros),
                    ])
                if db.changes == 1 {
                    stored += 1
                } else if countResends {
                    try storeCopy(deviceID: deviceID, message)
                    stored += 1
                } else {
                    duplicates += 1
                }
                highest = max(highest, message.seq)
            }
            try db.run(
                """
                INSERT INTO devices(device_id, acked_seq, duplicates) VALUES(?, ?, ?)
                ON CONFLICT(device_id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq),
                    duplicates = duplicates + excluded.duplicates
                """, [.text(deviceID), .integer(highest), .integer(Int64(duplicates))])
            let acked = try db.int64("SELECT acked_seq FROM devices WHERE device_id = ?", [.text(deviceID)])
            return BatchResult(ackedSeq: acked, stored: stored, duplicates: duplicates)
        }
    }

    private func storeCopy(deviceID: String, _ message: InboundOutboxMessage) throws {
        try db.run(
            """
            INSERT INTO resent_copies(device_id, seq, id, type, payload, prompt_tokens, completion_tokens,
                total_tokens, cost_micros)
            VALUES(?,?,?,?,?,?,?,?,?)
            """,
            [
                .text(deviceID), .integer(message.seq), .text(message.id), .text(message.type), .text(message.payload),
                .integer(message.usage.promptTokens), .integer(message.usage.completionTokens),
                .integer(message.usage.totalTokens), .integer(message.usage.costMicros),
            ])
    }

    func ackedSeq(deviceID: String) throws -> Int64 {
        try db.int64("SELECT acked_seq FROM devices WHERE device_id = ?", [.text(deviceID)])
    }

    func counts(deviceID: String) throws -> DeviceCounts {
        let device = [SQLiteValue.text(deviceID)]
        var byType: [String: Int] = [:]
        for row in try db.all("SELECT type, count(*) FROM \(Self.heldMessages) WHERE device_id = ? GROUP BY type", device) {
            byType[row[0].text ?? "", default: 0] += Int(row[1].int64 ?? 0)
        }
        return DeviceCounts(
            messages: byType.values.reduce(0, +),
            duplicates: Int(try db.int64("SELECT duplicates FROM devices WHERE device_id = ?", device)),
            highestSeq: try db.int64("SELECT coalesce(max(seq), 0) FROM messages WHERE device_id = ?", device),
            ackedSeq: try ackedSeq(deviceID: deviceID),
            byType: byType)
    }

    func messages(deviceID: String) throws -> [CloudMessage] {
        try db.all("SELECT seq, id, type, payload FROM \(Self.heldMessages) WHERE device_id = ? ORDER BY seq", [.text(deviceID)])
            .map { row in
                CloudMessage(
                    seq: row[0].int64 ?? 0, id: row[1].text ?? "", type: row[2].text ?? "", payload: row[3].text ?? "")
            }
    }

    func usage(deviceID: String) throws -> UsageTotals {
        let row = try db.all(
            """
            SELECT count(*), coalesce(sum(prompt_tokens),0), coalesce(sum(completion_tokens),0),
                coalesce(sum(total_tokens),0), coalesce(sum(cost_micros),0)
            FROM \(Self.heldMessages) WHERE device_id = ? AND type = 'usage_report'
            """, [.text(deviceID)]
        ).first ?? []
        func int(_ index: Int) -> Int64 { index < row.count ? row[index].int64 ?? 0 : 0 }
        return UsageTotals(
            reports: Int(int(0)), promptTokens: int(1), completionTokens: int(2), totalTokens: int(3),
            costMicros: int(4))
    }

    /// Forgets everything held for a device, as a cloud whose store was lost would.
    func wipe(deviceID: String) throws {
        try db.transaction {
            try db.run("DELETE FROM messages WHERE device_id = ?", [.text(deviceID)])
            try db.run("DELETE FROM resent_copies WHERE device_id = ?", [.text(deviceID)])
            try db.run("DELETE FROM devices WHERE device_id = ?", [.text(deviceID)])
        }
    }

    func saveToken(_ token: IssuedToken) throws {
        try db.run(
            "INSERT OR REPLACE INTO tokens(token, device_id, tenant_id, expires_ms) VALUES(?,?,?,?)",
            [.text(token.token), .text(token.deviceID), .text(token.tenantID), .integer(token.expiresMS)])
    }

    func loadTokens(nowMS: Int64) throws -> [IssuedToken] {
        try db.run("DELETE FROM tokens WHERE expires_ms <= ?", [.integer(nowMS)])
        return try db.all("SELECT token, device_id, tenant_id, expires_ms FROM tokens").map { row in
            IssuedToken(
                token: row[0].text ?? "", deviceID: row[1].text ?? "", tenantID: row[2].text ?? "",
                expiresMS: row[3].int64 ?? 0)
        }
    }
}
