import ConnectorCore
import Dispatch
import Synchronization

/// A usage_report row as read from the log, not yet decoded.
struct PendingUsage: Sendable {
    static let batchSize = 2_048

    let seq: Int64
    let id: MessageID
    let createdAtMS: Int64
    let codec: Int
    let rawSize: Int
    let layout: PayloadLayout
    let columns: PayloadLayout.Columns
    let stored: [UInt8]

    func decode(_ codecs: CodecTable) throws -> LedgerEntry? {
        let json = try stored.withUnsafeBytes { try codecs.decode(codec: codec, stored: $0, rawSize: rawSize) }
        let payload = try layout.restoreValue(json, type: .usageReport, columns: columns)
        let fields = try OutboxPayload.validate(type: .usageReport, payload: payload)
        return LedgerEntry(seq: seq, messageID: id, createdAtMS: createdAtMS, fields: fields)
    }
}

/// Decodes batches of usage reports off the scanning thread and gathers the ledger entries.
final class UsageDecoder: Sendable {
    private struct Results {
        var entries: [Int64: LedgerEntry] = [:]
        var bad: [String] = []
    }

    private let codecs: CodecTable
    private let results = Mutex(Results())
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "outbox.usage-decoder")

    init(codecs: CodecTable) {
        self.codecs = codecs
    }

    func submit(_ batch: [PendingUsage]) {
        guard !batch.isEmpty else { return }
        queue.async(group: group) { [self] in
            var entries: [(Int64, LedgerEntry)] = []
            var bad: [String] = []
            for usage in batch {
                do {
                    if let entry = try usage.decode(self.codecs) { entries.append((usage.seq, entry)) }
                } catch {
                    bad.append("seq \(usage.seq): \(error)")
                }
            }
            self.results.withLock { results in
                for (seq, entry) in entries { results.entries[seq] = entry }
                results.bad += bad
            }
        }
    }

    /// Waits for every submitted batch and returns the entries by seq, and the rows that failed.
    func finish() -> ([Int64: LedgerEntry], [String]) {
        group.wait()
        return results.withLock { ($0.entries, $0.bad.sorted()) }
    }
}
