import Logging
import SQLiteDB

/// R7 with messages already held: a device whose store was lost appended new messages (seqs 1, 2, …)
/// before its first `connect_ack` told it the cloud already holds seqs up to K. Those seqs belong to
/// other messages on the cloud, which would take ours for duplicates and drop them. So every held
/// message above the recorded ack moves up by the same offset, past K, keeping its id (now kept in
/// `explicit_id`), its payload and its order; the projections' seq columns move with it, in the same
/// transaction. Nothing is lost and no seq the cloud holds is reused. These messages were never sent
/// to this cloud (nothing is sent before `connect_ack`), so no resend changes its seq (R2).
extension WriterSession {
    /// Moves every held seq above `ackedSeq` up by `offset`; returns how many messages moved.
    func renumberHeld(above ackedSeq: Int64, offset: Int64) throws -> Int {
        let rows = try db.all("SELECT seq, explicit_id FROM outbox WHERE seq > ? ORDER BY seq", [.integer(ackedSeq)])
        for row in rows {
            guard case .integer(let seq) = row[0], case .null = row[1] else { continue }
            try db.run(
                "UPDATE outbox SET explicit_id = ? WHERE seq = ?", [.blob(ids.id(forSeq: seq).bytes), .integer(seq)])
        }
        let shift: (String) -> String = { column in "\(column) = CASE WHEN \(column) > ?1 THEN \(column) + ?2 ELSE \(column) END" }
        let bounds: [SQLiteValue] = [.integer(ackedSeq), .integer(offset)]
        // New seqs are all above the old last seq, so no update collides with a row not yet moved.
        try db.run("UPDATE outbox SET seq = seq + ?2 WHERE seq > ?1", bounds)
        try db.run("UPDATE usage_ledger SET seq = seq + ?2 WHERE seq > ?1", bounds)
        try db.run("UPDATE dropped_messages SET seq = seq + ?2 WHERE seq > ?1", bounds)
        try db.run("UPDATE retired_explicit_ids SET seq = seq + ?2 WHERE seq > ?1", bounds)
        try db.run(
            "UPDATE executions SET \(shift("first_seq")), \(shift("last_seq")), \(shift("terminal_seq")), \(shift("job_type_seq"))",
            bounds)
        return rows.count
    }
}
