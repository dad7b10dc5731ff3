import Foundation
import SQLiteDB

/// An outbox file to salvage from — one `run` quarantined, a damaged one, another install's — read
/// without ever being written.
///
/// A file without a WAL is opened `immutable`: no lock, no `-shm`, not a byte written. A file with a
/// WAL (a store that was not closed cleanly; the WAL holds its latest commits) is first copied, WAL
/// included, into a private folder in the live data directory, and the copy is read: SQLite must
/// build a WAL index to read a WAL, and that must not happen beside the original. The copy is removed
/// by `close()`. Either way, nothing else may be writing the file (a quarantined one never is).
///
/// Every read is defensive: whatever the bookkeeping rows say may be damaged too, so each is optional,
/// and a number outside `plausibleSeqs` reads as unreadable.
public final class SalvageSource {
    public let path: String
    public let identity: StoreIdentity
    /// The cloud's cumulative ack as the file recorded it; nil when unreadable.
    public let ackedSeq: Int64?
    /// The highest seq the file may hold (its allocator, or its highest row, whichever is readable and
    /// higher); nil when neither is.
    public let lastSeq: Int64?
    /// The only seqs and cursors believed from the file. A damaged (or hostile) file can hold any
    /// 64-bit value; no store gets anywhere near 2^61, and below it the scan's `+ 1` and the range
    /// search's doubling cannot overflow.
    public static let plausibleSeqs: ClosedRange<Int64> = 0...(Int64.max / 4)
    let ids: MessageIDScheme
    let codecs: CodecTable
    let db: Database
    private let copyDirectory: String?

    public static func open(_ path: String, scratchDirectory: String) throws(SalvageError) -> SalvageSource {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .missing(path: path) }
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int64
        var copyDirectory: String?
        let db: Database
        do {
            if let wal, wal > 0 {
                let folder = try makeCopy(path, into: scratchDirectory)
                copyDirectory = folder
                db = try Database(path: folder + "/source.sqlite", mode: .readWrite(create: false))
                try db.execute("PRAGMA query_only = ON")
            } else {
                db = try Database(path: path, mode: .immutable)
            }
        } catch let error as SalvageError {
            throw error
        } catch {
            if let copyDirectory { try? FileManager.default.removeItem(atPath: copyDirectory) }
            throw .unreadable(path: path, detail: "\(error)")
        }
        do {
            return try SalvageSource(path: path, db: db, copyDirectory: copyDirectory)
        } catch {
            if let copyDirectory { try? FileManager.default.removeItem(atPath: copyDirectory) }
            throw error
        }
    }

    private init(path: String, db: Database, copyDirectory: String?) throws(SalvageError) {
        self.path = path
        self.db = db
        self.copyDirectory = copyDirectory
        let applicationID: Int64
        do {
            applicationID = try db.int64("PRAGMA application_id")
            _ = try db.int64("SELECT count(*) FROM sqlite_schema")
        } catch {
            throw .unreadable(path: path, detail: "\(error)")
        }
        guard applicationID == Migrator.applicationID else { throw .notAnOutbox(path: path) }
        do {
            let row = try db.all("SELECT device_id, tenant_id, id_salt FROM store_identity WHERE singleton = 1").first
            guard let row, let device = row[0].text, let tenant = row[1].text, case .blob(let salt) = row[2],
                salt.count == 16
            else {
                throw SalvageError.identityUnreadable(path: path, detail: "the store_identity row is missing or incomplete")
            }
            identity = StoreIdentity(deviceID: device, tenantID: tenant)
            ids = MessageIDScheme(salt: salt)
        } catch let error as SalvageError {
            throw error
        } catch {
            throw .identityUnreadable(path: path, detail: "\(error)")
        }
        codecs = CodecTable.readOnly(db)
        // pruned_through is not read: the scan starts at seq 1, which costs one seek, rather than
        // trust a damaged value to skip rows.
        let state = try? db.all("SELECT last_seq, acked_seq FROM sequence_state WHERE singleton = 1").first
        ackedSeq = Self.plausible(state?[1].int64)
        let top: [SQLiteValue] = [.integer(Self.plausibleSeqs.upperBound)]
        let highest = [
            Self.plausible(state?[0].int64),
            try? db.scalar("SELECT seq FROM outbox WHERE seq BETWEEN 1 AND ? ORDER BY seq DESC LIMIT 1", top)?.int64,
            try? db.scalar("SELECT seq FROM usage_ledger WHERE seq BETWEEN 1 AND ? ORDER BY seq DESC LIMIT 1", top)?.int64,
        ].compactMap { $0 }.max()
        lastSeq = highest
    }

    private static func plausible(_ value: Int64?) -> Int64? {
        value.flatMap { plausibleSeqs.contains($0) ? $0 : nil }
    }

    /// Rows under a seq no store assigns (below 1, above `plausibleSeqs`): damage, listed by salvage
    /// instead of read. Two seeks, at most `limit` rows each; a failed read finds none (the scan
    /// reports the damage it meets).
    func implausibleRowSeqs(limit: Int) -> [Int64] {
        var seqs: [Int64] = []
        let queries: [(String, [SQLiteValue])] = [
            ("SELECT seq FROM outbox WHERE seq < 1 ORDER BY seq LIMIT ?", [.integer(Int64(limit))]),
            ("SELECT seq FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
             [.integer(Self.plausibleSeqs.upperBound), .integer(Int64(limit))]),
        ]
        for (sql, values) in queries {
            seqs += ((try? db.all(sql, values)) ?? []).compactMap { $0.first?.int64 }
        }
        return seqs
    }

    deinit {
        close()
    }

    /// The file's inbox rows (R11, R13), as far as they read; `complete` is false when a read failed
    /// part way. Rows come back as stored, in the order of `OutboxReader.inboxColumns`, for
    /// `INSERT OR IGNORE` into the live inbox; columns a file of an older schema lacks (the usage
    /// so far of migration 5) come back NULL.
    func inboxRows() -> (rows: [[SQLiteValue]], complete: Bool) {
        var rows: [[SQLiteValue]] = []
        do {
            let present = Set(try db.all("SELECT name FROM pragma_table_info('inbox')").compactMap { row -> String? in
                if case .text(let name) = row.first { return name }
                return nil
            })
            let columns = OutboxReader.inboxColumnNames.map { present.contains($0) ? $0 : "NULL" }
            let statement = try db.prepare("SELECT \(columns.joined(separator: ", ")) FROM inbox ORDER BY request_id")
            while try statement.step() { rows.append(columns.indices.map { statement.value(Int32($0)) }) }
            return (rows, true)
        } catch {
            return (rows, false)
        }
    }

    /// Removes the working copy, if one was made. The original file is never touched.
    public func close() {
        if let copyDirectory { try? FileManager.default.removeItem(atPath: copyDirectory) }
    }

    /// `<scratch>/.salvage-XXXXXX/source.sqlite` and its `-wal`, mode 0700 folder.
    private static func makeCopy(_ path: String, into scratchDirectory: String) throws(SalvageError) -> String {
        var template = Array((scratchDirectory + "/.salvage-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .workingCopy(path: path, reason: "cannot create a folder in \(scratchDirectory): " + String(cString: strerror(errno)))
        }
        let folder = String(cString: made)
        do {
            try FileManager.default.copyItem(atPath: path, toPath: folder + "/source.sqlite")
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: folder + "/source.sqlite-wal")
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw .workingCopy(path: path, reason: error.localizedDescription)
        }
        return folder
    }
}
