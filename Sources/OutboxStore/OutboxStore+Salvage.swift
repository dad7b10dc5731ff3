import ConnectorCore
import Dispatch
import Synchronization

public struct SalvageOptions: Sendable {
    /// Accept a file of another device of the same tenant (a replaced device whose messages this one
    /// should send). Another tenant is always refused (R12).
    public var allowOtherDevice = false
    /// Leave out the messages the file's cloud had acked.
    public var unackedOnly = false
    /// Rows read, and appended, per round.
    public var pageSize = 256

    public init() {}

    /// The part of the store's size bound salvage leaves free for the service's live messages.
    public static let headroomDivisor: Int64 = 5
}

extension OutboxStore {
    /// Appends every message SQLite can still read from `source` to this store, each with its own id,
    /// creation time and payload, so the cloud's dedupe by id (R6) counts none twice. They go through
    /// the normal append path (validation, the natural-key dedupe, the projections in the same
    /// transaction), each as its own unit, in the file's seq order, and get new seqs here: their old
    /// ones belong to the file's numbering, which this store's already covers (R7).
    ///
    /// Idempotent: a message whose id, or event_id/report_id with the same content, this store
    /// already holds — or held: an id of its own outlives its pruned row in `retired_explicit_ids` —
    /// is counted as present and not appended again. Acked messages are salvaged too
    /// (unless `unackedOnly`): this store's ledger, totals and timelines get them back, and a cloud
    /// that lost them can get them again. Salvage never makes room by dropping unacked progress events,
    /// and it fills the store only up to its ceiling (the size bound less a fifth, left to the
    /// service's live messages): there it stops (`stoppedBy`), and running it again goes on.
    public func salvage(
        from source: SalvageSource, options: SalvageOptions = SalvageOptions(),
        progress: ((_ done: Int64, _ total: Int64) -> Void)? = nil
    ) throws(SalvageError) -> SalvageReport {
        try checkOwnership(of: source, options: options)
        if options.unackedOnly && source.ackedSeq == nil { throw .ackCursorUnreadable(path: source.path) }
        var report = SalvageReport(source: source)
        report.boundBytes = self.options.maxOutboxBytes
        report.ceilingBytes = self.options.maxOutboxBytes - reservedBytes
        for seq in source.implausibleRowSeqs(limit: SalvageReport.listLimit) {
            let range = SalvageSource.plausibleSeqs
            report.add(
                RowProblem(seq: seq, reason: "its seq is outside 1…\(range.upperBound), which no store assigns: a damaged row"),
                to: \.undecodable)
        }
        // From seq 1 whatever the file says it pruned: a seek skips a pruned prefix for free, and a
        // damaged pruned_through must not hide rows.
        var scan = SalvageScan(source: source, from: 1, pageSize: options.pageSize)
        let total = scan.boundKnown ? scan.bound : 0
        progress?(0, total)
        while report.stoppedBy == nil, let page = scan.next() {
            if let range = page.unreadable { report.unreadable.append(range) }
            for problem in page.undecodable { report.add(problem, to: \.undecodable) }
            var rows: [SalvagedRow] = []
            for row in page.rows {
                report.read += 1
                if options.unackedOnly, let acked = source.ackedSeq, row.seq <= acked {
                    report.skippedAcked += 1
                } else {
                    rows.append(row)
                }
            }
            let drafts = rows.map { row in
                var draft = row.draft
                if self.options.faults.contains(.salvageWithoutIDs) { draft.id = nil }
                return draft
            }
            let results = appendEachAndWait(drafts, mayDropProgress: false, reservedBytes: reservedBytes)
            for (row, result) in zip(rows, results) {
                record(result, of: row, source: source, in: &report)
            }
            progress?(min(scan.position, scan.bound + 1) - 1, total)
        }
        if report.stoppedBy == nil {
            do {
                try salvageInbox(from: source, into: &report)
            } catch {
                report.stoppedBy = OutboxErrorMapping.map(error, operation: "copying the inbox", path: path)
            }
        }
        if report.read > 0 || report.unreadable.count > 0 {
            logger.notice(
                "salvaged messages from another outbox file",
                metadata: [
                    "salvage.source": "\(source.path)", "salvage.read": "\(report.read)",
                    "salvage.appended": "\(report.salvaged)", "salvage.present": "\(report.alreadyPresent)",
                    "salvage.unreadable_ranges": "\(report.unreadable.count)",
                ])
        }
        return report
    }

    /// Copies the file's inbox rows this store does not have (R11: a request the old store answered
    /// is not run again when the cloud redelivers it). An open row stays open, so the next start ends
    /// its execution `interrupted` (R13), exactly as after a crash. A row the live inbox already holds
    /// (the cloud redelivered the request after the quarantine) is kept as it is.
    ///
    /// From another device's file only answered rows are copied. Its open requests were sent to that
    /// device and accepted by it: ending them here would have this device report `failed`
    /// `interrupted` for executions it never ran, under its own id. Left out, nothing is lost: if
    /// the cloud sends such a request to this device, it is accepted and run here, once.
    private static let inboxPlaceholders = OutboxReader.inboxColumnNames.map { _ in "?" }.joined(separator: ", ")

    private func salvageInbox(from source: SalvageSource, into report: inout SalvageReport) throws {
        let (all, complete) = source.inboxRows()
        report.inboxRead = Int64(all.count)
        report.inboxComplete = complete
        let sameDevice = source.identity.deviceID == identity.deviceID
        let rows = sameDevice ? all : all.filter { $0[2] != .text("open") }
        report.inboxOpenLeftOut = Int64(all.count - rows.count)
        guard !rows.isEmpty else { return }
        let (copied, open) = try perform { session in
            try session.transaction { _ -> (Int64, Int64) in
                var copied: Int64 = 0
                var open: Int64 = 0
                for row in rows {
                    try session.db.run(
                        "INSERT OR IGNORE INTO inbox (\(OutboxReader.inboxColumns)) VALUES (\(Self.inboxPlaceholders))", row)
                    guard session.db.changes == 1 else { continue }
                    copied += 1
                    if row[1] == .text(InboxEntry.Kind.executionRequest.rawValue) && row[2] == .text("open") { open += 1 }
                }
                return (copied, open)
            }
        }
        report.inboxCopied = copied
        report.inboxOpenCopied = open
    }

    /// What salvage leaves free of the size bound.
    private var reservedBytes: Int64 {
        options.faults.contains(.salvageWithoutHeadroom) ? 0 : options.maxOutboxBytes / SalvageOptions.headroomDivisor
    }

    private func checkOwnership(of source: SalvageSource, options: SalvageOptions) throws(SalvageError) {
        if source.identity.tenantID != identity.tenantID {
            throw .otherTenant(path: source.path, source: source.identity, live: identity)
        }
        if source.identity.deviceID != identity.deviceID && !options.allowOtherDevice {
            throw .otherDevice(path: source.path, source: source.identity, live: identity)
        }
        if source.ids == ids { throw .sameStore(path: source.path) }
    }

    private func record(
        _ result: Result<AppendedMessage, OutboxError>, of row: SalvagedRow, source: SalvageSource,
        in report: inout SalvageReport
    ) {
        switch result {
        case .success(let appended) where appended.duplicate:
            report.alreadyPresent += 1
        case .success(let appended):
            report.salvaged += 1
            if let acked = source.ackedSeq, row.seq <= acked { report.salvagedAcked += 1 }
            report.firstSeq = min(report.firstSeq ?? appended.seq, appended.seq)
            report.lastSeq = max(report.lastSeq ?? appended.seq, appended.seq)
        case .failure(let error):
            switch error {
            case .duplicateConflict:
                report.add(RowProblem(seq: row.seq, reason: error.description), to: \.conflicts)
            case .invalidPayload, .tenantMismatch, .messageTooLarge:
                report.add(RowProblem(seq: row.seq, reason: error.description), to: \.undecodable)
            default:
                if report.stoppedBy == nil { report.stoppedBy = error }
            }
        }
    }

    /// Appends each draft as its own unit (one refused draft fails alone), all submitted at once so
    /// they share group commits, in order; blocks until every one is settled.
    func appendEachAndWait(
        _ drafts: [MessageDraft], mayDropProgress: Bool, reservedBytes: Int64 = 0
    ) -> [Result<AppendedMessage, OutboxError>] {
        let results = Mutex<[Result<AppendedMessage, OutboxError>?]>(Array(repeating: nil, count: drafts.count))
        let settled = DispatchGroup()
        for (index, draft) in drafts.enumerated() {
            let message: PreparedMessage
            do {
                message = try preparer.prepare(draft)
            } catch {
                results.withLock { $0[index] = .failure(error) }
                continue
            }
            settled.enter()
            let completion: Completion<[AppendedMessage]> = { result in
                results.withLock { $0[index] = result.map { $0[0] } }
                settled.leave()
            }
            let unit = AppendUnit(messages: [message], rows: nil, mayDropProgress: mayDropProgress, reservedBytes: reservedBytes)
            submit(.append(unit, completion), orFail: { completion(.failure($0)) })
        }
        settled.wait()
        return results.withLock { $0.map { $0! } }
    }
}
