import SQLiteDB

/// SQLite's own check of the store file, on a read connection beside whatever else has it open.
/// Its cost grows with the file (every page is read), so it can be bounded in time.
public enum StoreIntegrity {
    public enum Depth: String, Sendable {
        /// `PRAGMA quick_check`: every page and record is well formed, no page is lost or used twice.
        case quick
        /// `PRAGMA integrity_check`: all of that, and every index holds exactly its table's rows.
        case full
    }

    public enum Outcome: Sendable, Equatable {
        case clean
        /// SQLite's findings, at most `maxFindings` of them.
        case damaged([String])
        /// Only pages nothing uses (QuickCheckFinding): wasted space, every row still reads. `run`
        /// keeps such a store.
        case wastedSpace([String])
        /// The time limit passed before the check finished; nothing is known either way.
        case unfinished
    }

    public static let maxFindings = 20

    /// Checks `<directory>/outbox.sqlite`; nil `timeLimit` lets it run to the end.
    public static func check(
        directory: String, depth: Depth, timeLimit: Duration?, busyTimeoutMilliseconds: Int32 = 5_000
    ) throws(OutboxError) -> Outcome {
        let path = directory + "/" + OutboxStore.fileName
        do {
            let db = try StoreConnection.open(
                path: path, durability: .full, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: true)
            let sql = "PRAGMA \(depth == .quick ? "quick_check" : "integrity_check")(\(maxFindings))"
            let rows: [[SQLiteValue]]
            do {
                if let timeLimit {
                    rows = try db.withTimeLimit(timeLimit) { try db.all(sql) }
                } else {
                    rows = try db.all(sql)
                }
            } catch let error as SQLiteError where error.isInterrupted {
                return .unfinished
            } catch let error as SQLiteError where error.isCorrupt {
                // Some damage stops the check itself instead of being listed: that is its finding.
                return .damaged([error.message])
            }
            let findings = QuickCheckFinding.parse(rows.compactMap { $0.first?.text })
            let lines = findings.map { finding in
                switch finding {
                case .harmless(let line), .damage(let line): line
                }
            }
            if findings.isEmpty { return .clean }
            return findings.allSatisfy { if case .harmless = $0 { true } else { false } } ? .wastedSpace(lines) : .damaged(lines)
        } catch {
            throw OutboxErrorMapping.map(error, operation: "checking the outbox's integrity", path: path)
        }
    }
}
