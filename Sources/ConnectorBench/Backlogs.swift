import Foundation
import OutboxStore
import TrafficGenerator

/// Unsent backlogs for the link benchmarks: a store of realistic messages, none acked, as a device
/// holds it after an outage.
enum Backlogs {
    /// Builds a store of `count` messages from TrafficGenerator in `directory` (replaced if present),
    /// in units of 500 drafts from two producers, with durability `normal` (building is not timed).
    /// The directory is 0700, as `cloud-connector run` wants its data directory. Returns the seconds.
    static func build(_ directory: String, count: Int, seed: UInt64, label: String) async throws -> Double {
        Stores.remove(directory)
        _ = try Stores.makeDirectory(directory)
        chmod(directory, 0o700)
        let store = try Stores.open(directory) { options in
            options.durability = .normal
            options.maxOutboxBytes = Stores.bulkMaxOutboxBytes
        }
        defer { store.close() }
        let step = max(500, count / 5)
        let (_, seconds) = try await Measure.time {
            try await Stores.fill(store, count: count, seed: seed, progress: { done in
                if count >= 200_000 && (done % step < 500 || done == count) {
                    Progress.say("\(label): built \(Format.grouped(done)) of \(Format.grouped(count)) messages")
                }
            }) { $0.next() }
        }
        let state = try store.makeReader().sequenceState()
        guard state.lastSeq == Int64(count), state.ackedSeq == 0 else {
            throw BenchFailure("\(label): the backlog store has last_seq \(state.lastSeq), acked_seq \(state.ackedSeq); expected \(count), 0")
        }
        return seconds
    }

    /// Copies a closed store's files (database and WAL; the shared-memory index is rebuilt on open)
    /// into `directory`, created 0700.
    static func copy(_ store: String, to directory: String) throws {
        Stores.remove(directory)
        _ = try Stores.makeDirectory(directory)
        chmod(directory, 0o700)
        for suffix in ["", "-wal"] {
            let source = store + "/" + OutboxStore.fileName + suffix
            guard FileManager.default.fileExists(atPath: source) else { continue }
            try FileManager.default.copyItem(atPath: source, toPath: directory + "/" + OutboxStore.fileName + suffix)
        }
    }

    /// The envelopes of the first `limit` pending messages, byte for byte as the connector sends them.
    static func envelopes(_ store: OutboxStore, limit: Int) throws -> [[UInt8]] {
        let reader = try store.makeReader()
        var out: [[UInt8]] = []
        out.reserveCapacity(limit)
        var after: Int64 = 0
        while out.count < limit {
            let page = try reader.pendingPage(after: after, limit: min(5_000, limit - out.count))
            guard let last = page.last else { break }
            out += page.map(\.envelope)
            after = last.seq
        }
        return out
    }

    static func meanBytes(_ envelopes: [[UInt8]]) -> Double {
        envelopes.isEmpty ? 0 : Double(envelopes.reduce(0) { $0 + $1.count }) / Double(envelopes.count)
    }
}
