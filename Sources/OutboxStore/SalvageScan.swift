import ConnectorCore
import SQLiteDB

/// A message read back from a salvage source, with the identity it must keep: its id, its creation
/// time (the envelope's `ts`) and its payload, exactly as it was sent.
struct SalvagedRow: Sendable {
    let seq: Int64
    let draft: MessageDraft
}

/// A seq range SQLite could not read, inclusive; `to` is nil when the damage runs to the end and the
/// file's last seq is unknown.
public struct SeqRange: Sendable, Equatable {
    public let from: Int64
    public let to: Int64?
}

/// A row that was read (or refused) but could not be salvaged, and why.
public struct RowProblem: Sendable, Equatable {
    public let seq: Int64
    public let reason: String
}

/// Pages through a salvage source's log in seq order. One damaged page costs only the rows on it:
/// when a read fails, the seqs from there up to the next seq a seek can reach again are reported as
/// unreadable (UnreadableRangeSearch) and the scan goes on after them.
struct SalvageScan {
    let source: SalvageSource
    /// The last seq to look at.
    let bound: Int64
    let boundKnown: Bool
    let pageSize: Int
    private(set) var position: Int64
    private(set) var finished = false

    struct Page {
        var rows: [SalvagedRow] = []
        var undecodable: [RowProblem] = []
        var unreadable: SeqRange?
    }

    static let columns =
        "seq, explicit_id, type, request_id, created_at_ms, event_at_ms, natural_key, event_type, codec, raw_size, payload, layout"

    /// A page whose keys come back out of order: the b-tree is damaged there.
    private struct OutOfOrder: Error {}

    init(source: SalvageSource, from: Int64, pageSize: Int) {
        self.source = source
        boundKnown = source.lastSeq != nil
        // lastSeq is within plausibleSeqs, so `bound + 1` and the range search cannot overflow.
        bound = source.lastSeq ?? SalvageSource.plausibleSeqs.upperBound
        self.pageSize = pageSize
        position = from
        finished = from > bound
    }

    mutating func next() -> Page? {
        guard !finished else { return nil }
        var page = Page()
        do {
            let statement = try source.db.prepare(
                "SELECT \(Self.columns) FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?")
            try statement.bind([.integer(position), .integer(bound), .integer(Int64(pageSize))])
            var count = 0
            while try statement.step() {
                count += 1
                let seq = statement.int64(0)
                // Keys outside the range asked for come only from a damaged page; taking them would
                // move `position` backwards (a loop) or past the bound.
                guard seq >= position, seq <= bound else { throw OutOfOrder() }
                position = seq + 1
                switch decode(statement, seq: seq) {
                case .success(let row): page.rows.append(row)
                case .failure(let problem): page.undecodable.append(problem)
                }
            }
            if count < pageSize { finished = true }
        } catch {
            // The rows stepped before the failure are kept; from `position` on the tree is unreadable
            // up to the next seq a seek reaches again.
            let failed = position
            if let resumed = UnreadableRangeSearch.resume(after: failed, bound: bound, probe: probe) {
                if let firstRow = resumed.value {
                    page.unreadable = SeqRange(from: failed, to: firstRow - 1)
                    position = firstRow
                } else {
                    page.unreadable = SeqRange(from: failed, to: boundKnown ? bound : nil)
                    finished = true
                }
            } else {
                page.unreadable = SeqRange(from: failed, to: boundKnown ? bound : nil)
                finished = true
            }
        }
        if position > bound { finished = true }
        return page
    }

    /// Seeks to the first row at or after `seq` and reads it whole. Nil when that fails; otherwise the
    /// row's seq, or nil inside when no row follows up to the bound.
    private func probe(_ seq: Int64) -> Int64?? {
        do {
            let statement = try source.db.prepare(
                "SELECT \(Self.columns) FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT 1")
            try statement.bind([.integer(seq), .integer(bound)])
            guard try statement.step() else { return .some(nil) }
            let found = statement.int64(0)
            // A key outside the range asked for is a damaged page, as a failed seek is.
            return found >= seq && found <= bound ? .some(found) : nil
        } catch {
            return nil
        }
    }

    private enum Decoded {
        case success(SalvagedRow)
        case failure(RowProblem)
    }

    private func decode(_ row: Statement, seq: Int64) -> Decoded {
        guard let type = OutboxMessageType(code: row.int(2)) else {
            return .failure(RowProblem(seq: seq, reason: "unknown message type code \(row.int(2))"))
        }
        var explicit: MessageID?
        if !row.isNull(1) {
            guard let id = MessageID(bytes: row.blob(1)) else {
                return .failure(RowProblem(seq: seq, reason: "its explicit_id is not 16 bytes"))
            }
            explicit = id
        }
        do {
            let bytes = try StoredPayload.read(
                row, codecs: source.codecs, type: type, codec: 8, rawSize: 9, payload: 10, layout: 11,
                requestID: 3, naturalKey: 6, eventAt: 5, eventType: 7)
            let payload = try JSON.parse(bytes)
            let id = explicit ?? source.ids.id(forSeq: seq)
            return .success(SalvagedRow(
                seq: seq, draft: MessageDraft(type: type, payload: payload, id: id, createdAtMS: row.int64(4))))
        } catch {
            return .failure(RowProblem(seq: seq, reason: "its payload does not decode: \(error)"))
        }
    }
}
