import Foundation
import OutboxStore
import TrafficGenerator

/// P1: durable append rate of ~300-byte events from 1, 4 and 64 concurrent producers, each awaiting
/// its own append, with synchronous=FULL; next to the raw-SQLite limit (same rows, plain C API, 1,000
/// per transaction) and a naive outbox (the same store, one transaction per append).
struct AppendBenchmark {
    static let eventBytes = 300

    let root: String
    let options: BenchOptions
    let facts: MachineFacts

    struct Run: Sendable {
        var appends: Int
        var seconds: Double
        var transactions: Int
        var latencies: [Double]
        var bytesWritten: Int64?
        var rate: Double { Double(appends) / seconds }
    }

    struct Row: Sendable {
        var producers: Int
        var outbox: Run
        var naive: Run
    }

    struct Outcome: Sendable {
        var rows: [Row]
        var raw: RawSQLite.Result
        var rawRuns: [Double]
        var diagnostics: [(String, RawSQLite.Result)]
        var prepareSeconds: Double
        var averageJSON: Double
        var averageStored: Double

        /// The target's figure: outbox with 64 producers ÷ raw limit (nil when 64 was not run).
        var ratio64: Double? {
            rows.first { $0.producers == 64 }.map { $0.outbox.rate / raw.rowsPerSecond }
        }
    }

    /// Appends timed per producer count. Without batching every append waits for its own fsync, so
    /// runs bound by the disk are capped to about `fsyncBoundSeconds` of expected work.
    func counts(producers: Int, naive: Bool) -> Int {
        let base = producers >= 64 ? options.appends : producers >= 4 ? options.appends / 4 : options.appends / 8
        let fsyncBoundSeconds = 3.0
        let perCommit = max(facts.appendSyncMedian, facts.fsyncMedian) + 100e-6
        let fsyncBound = naive || producers == 1
        let cap = fsyncBound ? max(500, Int(fsyncBoundSeconds / perCommit)) : Int.max
        return max(producers, min(base, cap))
    }

    func run() async throws -> Outcome {
        let maxCount = options.producers.flatMap { [counts(producers: $0, naive: false), counts(producers: $0, naive: true)] }.max()!
        let warmups = 256
        Progress.say("P1: generating \(Format.grouped(maxCount + warmups)) progress events of ~\(Self.eventBytes) B")
        let all = await Stores.drafts(count: maxCount + warmups, seed: 0x0001_5EED) {
            $0.progressEvent(approximateBytes: Self.eventBytes)
        }
        let warm = Array(all[maxCount...])
        let drafts = Array(all[..<maxCount])

        // The raw limit: the rows of the largest (64-producer) run, prepared by the store's own preparer.
        let rawCount = counts(producers: options.producers.max()!, naive: false)
        let prepared: [PreparedMessage]
        let prepareSeconds: Double
        do {
            let directory = try Stores.makeDirectory(root + "/p1-prepare")
            defer { Stores.remove(directory) }
            let store = try Stores.open(directory)
            defer { store.close() }
            (prepared, prepareSeconds) = try Measure.time {
                try drafts[..<rawCount].map { try store.preparer.prepare($0) }
            }
        }
        let rows = RawRows(prepared)
        var rawRuns: [RawSQLite.Result] = []
        for repeat_ in 0..<options.repeats {
            Progress.say("P1: raw SQLite, \(Format.grouped(rawCount)) rows in batches of 1,000 (run \(repeat_ + 1))")
            rawRuns.append(try rawInsert(rows, batch: 1_000, work: .plainInsert, label: "raw-\(repeat_)"))
        }
        let raw = rawRuns.sorted { $0.rowsPerSecond < $1.rowsPerSecond }[rawRuns.count / 2]

        var results: [Row] = []
        for producers in options.producers {
            var outboxRuns: [Run] = []
            var naiveRuns: [Run] = []
            for repeat_ in 0..<options.repeats {
                let outboxCount = counts(producers: producers, naive: false)
                Progress.say("P1: outbox, \(producers) producers, \(Format.grouped(outboxCount)) appends (run \(repeat_ + 1))")
                outboxRuns.append(try await measure(
                    drafts[..<outboxCount], warm: warm, producers: producers, naive: false, label: "outbox-\(producers)-\(repeat_)"))
                let naiveCount = counts(producers: producers, naive: true)
                Progress.say("P1: naive outbox, \(producers) producers, \(Format.grouped(naiveCount)) appends (run \(repeat_ + 1))")
                naiveRuns.append(try await measure(
                    drafts[..<naiveCount], warm: warm, producers: producers, naive: true, label: "naive-\(producers)-\(repeat_)"))
            }
            results.append(Row(producers: producers, outbox: Self.median(outboxRuns), naive: Self.median(naiveRuns)))
        }

        Progress.say("P1: diagnostics (raw SQLite with smaller batches and with the store's per-append SQL)")
        let diagnostics: [(String, RawSQLite.Result)] = [
            ("raw INSERT only, 1,000 rows/txn (the limit)", raw),
            ("raw INSERT only, 64 rows/txn", try rawInsert(rows, batch: 64, work: .plainInsert, label: "diag-plain-64")),
            ("raw store-equivalent SQL, 1,000 rows/txn", try rawInsert(rows, batch: 1_000, work: .storeEquivalent, label: "diag-store-1000")),
            ("raw store-equivalent SQL, 64 rows/txn", try rawInsert(rows, batch: 64, work: .storeEquivalent, label: "diag-store-64")),
            ("raw store-equivalent SQL, 1 row/txn", try rawInsert(
                RawRows(Array(prepared.prefix(counts(producers: 1, naive: true)))), batch: 1, work: .storeEquivalent,
                label: "diag-store-1")),
        ]
        return Outcome(
            rows: results, raw: raw, rawRuns: rawRuns.map(\.rowsPerSecond), diagnostics: diagnostics,
            prepareSeconds: prepareSeconds / Double(rawCount),
            averageJSON: Double(rows.rawBytes) / Double(rows.rows.count),
            averageStored: Double(rows.storedBytes) / Double(rows.rows.count))
    }

    private static func median(_ runs: [Run]) -> Run {
        runs.sorted { $0.rate < $1.rate }[runs.count / 2]
    }

    /// A fresh store's schema, filled by raw C-API inserts.
    private func rawInsert(_ rows: RawRows, batch: Int, work: RawSQLite.Work, label: String) throws -> RawSQLite.Result {
        let directory = try Stores.makeDirectory(root + "/p1-" + label)
        defer { Stores.remove(directory) }
        try Stores.open(directory).close()
        return try RawSQLite.insert(rows, path: directory + "/" + OutboxStore.fileName, batch: batch, work: work)
    }

    /// `producers` async tasks share `drafts`; each appends one at a time and awaits it.
    private func measure(
        _ drafts: ArraySlice<MessageDraft>, warm: [MessageDraft], producers: Int, naive: Bool, label: String
    ) async throws -> Run {
        let directory = try Stores.makeDirectory(root + "/p1-" + label)
        defer { Stores.remove(directory) }
        let store = try Stores.open(directory) { options in
            options.durability = .full
            if naive { options.maxUnitsPerTransaction = 1 }
        }
        defer { store.close() }
        guard try store.writerDiagnostics().synchronousLevel == 2 else {
            throw BenchFailure("the writer connection is not synchronous=FULL")
        }
        _ = try await Self.drive(store, Array(warm.prefix(max(producers * 2, 64))), producers: producers)
        let before = try store.writerDiagnostics().committedTransactions
        let writtenBefore = IOCounters.writtenBytes()
        let (latencies, seconds) = try await Measure.time {
            try await Self.drive(store, Array(drafts), producers: producers)
        }
        let written = writtenBefore.flatMap { before in IOCounters.writtenBytes().map { $0 - before } }
        let transactions = try store.writerDiagnostics().committedTransactions - before
        return Run(
            appends: drafts.count, seconds: seconds, transactions: transactions, latencies: latencies,
            bytesWritten: written)
    }

    /// Runs the producers; returns every append's latency in seconds.
    static func drive(_ store: OutboxStore, _ drafts: [MessageDraft], producers: Int) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for producer in 0..<producers {
                group.addTask {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(drafts.count / producers + 1)
                    var index = producer
                    while index < drafts.count {
                        let start = Measure.now()
                        let appended = try await store.append(drafts[index])
                        latencies.append(Measure.seconds(since: start))
                        if appended.duplicate { throw BenchFailure("append \(index) was taken for a duplicate") }
                        index += producers
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
    }

    // MARK: report

    private static func perRow(_ bytes: Int64?, _ rows: Int) -> String {
        guard let bytes, rows > 0 else { return "–" }
        return Format.bytes(bytes / Int64(rows))
    }

    static func tables(_ outcome: Outcome) -> [Table] {
        var table = Table(
            "P1 — durable appends of ~\(eventBytes) B events (synchronous=FULL, each producer awaits its own append)",
            headers: [
                "producers", "outbox appends/s", "naive appends/s", "raw limit rows/s", "outbox ÷ raw",
                "outbox ÷ naive", "outbox txns", "appends/txn", "written/append", "p50 / p99 latency", "target",
            ])
        for row in outcome.rows {
            let ratio = row.outbox.rate / outcome.raw.rowsPerSecond
            let target = row.producers == 64 ? "≥ 50 % of raw: " + Format.verdict(ratio >= 0.5) : ""
            table.add([
                "\(row.producers)", Format.rate(row.outbox.rate), Format.rate(row.naive.rate),
                Format.rate(outcome.raw.rowsPerSecond), Format.percent(ratio), Format.ratio(row.outbox.rate / row.naive.rate),
                Format.grouped(row.outbox.transactions),
                Format.fixed(Double(row.outbox.appends) / Double(max(1, row.outbox.transactions)), 1),
                perRow(row.outbox.bytesWritten, row.outbox.appends),
                Format.duration(Measure.percentile(row.outbox.latencies, 0.5)) + " / "
                    + Format.duration(Measure.percentile(row.outbox.latencies, 0.99)),
                target,
            ])
        }
        let counts = outcome.rows.map {
            "\($0.producers): \(Format.grouped($0.outbox.appends)) outbox / \(Format.grouped($0.naive.appends)) naive"
        }.joined(separator: "; ")
        table.notes = [
            "events: TrafficGenerator.progressEvent(approximateBytes: \(eventBytes)) from running executions, avg "
                + "\(Format.fixed(outcome.averageJSON, 0)) B payload JSON as appended, \(Format.fixed(outcome.averageStored, 0)) B "
                + "stored (fields the typed columns hold left out, LZ4); unique ids, timestamps and text",
            "appends timed (after a warm-up) — \(counts); median of the runs",
            "raw limit: the 64-producer run's rows, prepared by store.preparer, inserted with sqlite3_prepare_v2/bind/step "
                + "in transactions of 1,000, WAL, synchronous=FULL; runs: "
                + outcome.rawRuns.map(Format.rate).joined(separator: ", ") + " rows/s",
            "naive: the same store with maxUnitsPerTransaction = 1 (one transaction, one fsync per append)",
            "outbox txns: transactions the group-commit writer committed for the timed appends (writerDiagnostics)",
        ]

        var diagnostics = Table(
            "P1 — where the time goes (raw C API, same rows, same schema and settings)",
            headers: ["work", "rows/s", "µs per row", "txns", "rows/txn", "written/row"])
        for (name, result) in outcome.diagnostics {
            diagnostics.add([
                name, Format.rate(result.rowsPerSecond), Format.fixed(1e6 / result.rowsPerSecond, 1),
                Format.grouped(result.transactions), Format.fixed(Double(result.rows) / Double(result.transactions), 1),
                perRow(result.bytesWritten, result.rows),
            ])
        }
        for row in outcome.rows where row.producers == 64 {
            for (name, run) in [("outbox, 64 producers", row.outbox), ("naive outbox, 64 producers", row.naive)] {
                diagnostics.add([
                    name + " (for comparison)", Format.rate(run.rate), Format.fixed(1e6 / run.rate, 1),
                    Format.grouped(run.transactions), Format.fixed(Double(run.appends) / Double(max(1, run.transactions)), 1),
                    perRow(run.bytesWritten, run.appends),
                ])
            }
        }
        diagnostics.add(["store.preparer.prepare() alone, one core (validate, encode, LZ4)",
                         Format.rate(1 / outcome.prepareSeconds), Format.fixed(outcome.prepareSeconds * 1e6, 1), "–", "–", "–"])
        diagnostics.notes = [
            "store-equivalent SQL = per append: SAVEPOINT, natural-key lookup, INSERT outbox, executions read + upsert, "
                + "RELEASE; per transaction: sequence_state read + write (what the writer thread runs)",
            "64 rows/txn is the largest group 64 producers can form: each waits for its commit before its next append",
            "written/row: bytes this process passed to write() (WAL frames + checkpoints, /proc/self/io wchar) per row: "
                + "every transaction writes each page it touched in full, so rows with random keys (id, natural_key, "
                + "request_id indexes) cost whole pages",
        ]
        return [table, diagnostics]
    }
}
