import ConnectorCore
import Foundation
import OutboxStore
import TrafficGenerator

/// P5 (open + ready time) and P6 (projection rebuild) on a store of `messages` realistic messages.
struct LargeStoreBenchmark {
    let directory: String
    let messages: Int
    /// The store may be kept from an earlier run (`--reuse-store`).
    let reuse: Bool

    struct Build: Sendable {
        /// Nil when an existing store was reused.
        var seconds: Double?
        var countsByType: [(String, Int64)]
        var executions: Int64
        var ledgerReports: Int64
        var fileBytes: Int64
        var storedBytes: Int64
        var rawBytes: Int64
    }

    struct OpenTimes: Sendable {
        /// Per open: OutboxStore.open, makeReader, first sequenceState, total.
        var open: [Double] = []
        var reader: [Double] = []
        var state: [Double] = []
        var total: [Double] = []
    }

    struct OpenOutcome: Sendable {
        var warm: OpenTimes
        var cold: OpenTimes
        /// The same opens with the start-up damage probe `run` asks for (OutboxOptions.probeForDamageAtOpen).
        var probedWarm: OpenTimes
        var probedCold: OpenTimes
        var coldIsReal: Bool
    }

    struct RebuildOutcome: Sendable {
        var seconds: Double
        var report: RebuildReport
    }

    // MARK: building

    func build() async throws -> Build {
        if reuse, FileManager.default.fileExists(atPath: directory + "/" + OutboxStore.fileName),
            let existing = try? summarize(seconds: nil)
        {
            Progress.say("P5: reusing the \(Format.grouped(messages))-message store in \(directory)")
            return existing
        }
        Stores.remove(directory)
        _ = try Stores.makeDirectory(directory)
        let store = try Stores.open(directory) { options in
            options.durability = .normal  // building only; the timed parts open it with the defaults
            options.maxOutboxBytes = Stores.bulkMaxOutboxBytes
        }
        let total = messages
        let step = max(1, total / 10)
        let seconds: Double
        do {
            defer { store.close() }
            (_, seconds) = try await Measure.time {
                try await Stores.fill(store, count: total, seed: 0x0005_5EED, progress: { done in
                    if done % step < 500 || done == total {
                        Progress.say("P5: built \(Format.grouped(done)) of \(Format.grouped(total)) messages")
                    }
                }) { $0.next() }
            }
        }
        return try summarize(seconds: seconds)
    }

    private func summarize(seconds: Double?) throws -> Build {
        let reopened = try Stores.open(directory)
        defer { reopened.close() }
        let stats = try reopened.makeReader().stats()
        guard stats.heldMessages == Int64(messages), stats.state.lastSeq == Int64(messages) else {
            throw BenchFailure("the P5 store holds \(stats.heldMessages) messages (last seq \(stats.state.lastSeq)), expected \(messages)")
        }
        var byType: [String: Int64] = [:]
        for bucket in stats.buckets { byType[bucket.type.rawValue, default: 0] += bucket.messages }
        return Build(
            seconds: seconds,
            countsByType: OutboxMessageType.allCases.map { ($0.rawValue, byType[$0.rawValue] ?? 0) },
            executions: stats.executions, ledgerReports: stats.ledgerReports, fileBytes: stats.bytesOnDisk,
            storedBytes: stats.buckets.reduce(0) { $0 + $1.storedBytes },
            rawBytes: stats.buckets.reduce(0) { $0 + $1.rawBytes })
    }

    // MARK: P5

    func measureOpen(runs: Int = 5) throws -> OpenOutcome {
        var warm = OpenTimes()
        var cold = OpenTimes()
        var probedWarm = OpenTimes()
        var probedCold = OpenTimes()
        var coldIsReal = true
        for run in 0..<(runs + 1) {
            // The first open after building is a warm-up and is not counted.
            let sample = try openOnce(probe: false)
            if run > 0 { warm.append(sample) }
        }
        for _ in 0..<runs { probedWarm.append(try openOnce(probe: true)) }
        for _ in 0..<runs {
            coldIsReal = Self.evictFromPageCache(directory + "/" + OutboxStore.fileName) && coldIsReal
            cold.append(try openOnce(probe: false))
            coldIsReal = Self.evictFromPageCache(directory + "/" + OutboxStore.fileName) && coldIsReal
            probedCold.append(try openOnce(probe: true))
        }
        return OpenOutcome(warm: warm, cold: cold, probedWarm: probedWarm, probedCold: probedCold, coldIsReal: coldIsReal)
    }

    private func openOnce(probe: Bool) throws -> (Double, Double, Double) {
        let start = Measure.now()
        let store = try Stores.open(directory) { $0.probeForDamageAtOpen = probe }
        let opened = Measure.now()
        let reader = try store.makeReader()
        let readerMade = Measure.now()
        let state = try reader.sequenceState()
        let ready = Measure.now()
        guard state.lastSeq == Int64(messages) else {
            throw BenchFailure("reopened store reports last seq \(state.lastSeq), expected \(messages)")
        }
        store.close()
        return (
            start.duration(to: opened).seconds, opened.duration(to: readerMade).seconds,
            readerMade.duration(to: ready).seconds
        )
    }

    /// Drops the file's clean pages from the page cache (after writing back dirty ones), so the next
    /// open reads from the disk. False where that is not possible.
    static func evictFromPageCache(_ path: String) -> Bool {
        #if os(Linux)
        let fd = open(path, O_RDWR)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        fsync(fd)
        return posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)) == 0
        #else
        return false
        #endif
    }

    // MARK: P6

    func measureRebuild() throws -> RebuildOutcome {
        let store = try Stores.open(directory)
        defer { store.close() }
        let (report, seconds) = try Measure.time { try store.rebuildProjections() }
        return RebuildOutcome(seconds: seconds, report: report)
    }

    // MARK: report

    static func buildTable(_ build: Build, messages: Int) -> Table {
        var table = Table("P5/P6 store — \(Format.grouped(messages)) messages of realistic mixed traffic",
                          headers: ["what", "value"], alignments: [.left, .right])
        for (type, count) in build.countsByType {
            table.add([type, Format.grouped(count)])
        }
        table.add(["executions (timeline rows)", Format.grouped(build.executions)])
        table.add(["usage ledger rows", Format.grouped(build.ledgerReports)])
        table.add(["stored JSON (typed-column fields left out) / compressed", "\(Format.bytes(build.rawBytes)) / \(Format.bytes(build.storedBytes))"])
        table.add(["file size", Format.bytes(build.fileBytes)])
        table.add([
            "build time (untimed part of P5; durability normal, units of 500, \(max(2, ProcessInfo.processInfo.activeProcessorCount)) producers)",
            build.seconds.map { Format.duration($0) + " (" + Format.rate(Double(messages) / $0) + " msg/s)" }
                ?? "reused (--reuse-store)",
        ])
        table.notes = ["traffic: TrafficGenerator.next() — accepted → started → progress* → terminal, usage_report, some messaging_reply"]
        return table
    }

    static func openTable(_ outcome: OpenOutcome, messages: Int) -> Table {
        var table = Table(
            "P5 — open + ready of a \(Format.grouped(messages))-message store (OutboxStore.open + makeReader().sequenceState())",
            headers: ["page cache", "median", "min", "max", "open", "makeReader", "sequenceState", "target ≤ 1 s"])
        func add(_ name: String, _ times: OpenTimes) {
            let median = Measure.median(times.total)
            table.add([
                name, Format.duration(median), Format.duration(times.total.min() ?? 0),
                Format.duration(times.total.max() ?? 0), Format.duration(Measure.median(times.open)),
                Format.duration(Measure.median(times.reader)), Format.duration(Measure.median(times.state)),
                Format.verdict(median <= 1),
            ])
        }
        add("warm (right after close)", outcome.warm)
        add(outcome.coldIsReal ? "cold (file evicted: fadvise DONTNEED)" : "cold (eviction unavailable: warm)", outcome.cold)
        add("warm, with run's damage probe", outcome.probedWarm)
        add(outcome.coldIsReal ? "cold, with run's damage probe" : "cold (unavailable: warm), with the probe", outcome.probedCold)
        table.notes = [
            "\(outcome.warm.total.count) opens each; open/makeReader/sequenceState columns are medians of each step",
            "the damage probe (run only): the newest and oldest log rows, the first pending page, both ends of every index and projection",
        ]
        return table
    }

    static func rebuildTable(_ outcome: RebuildOutcome, messages: Int) -> Table {
        var table = Table(
            "P6 — projection rebuild of the \(Format.grouped(messages))-message store (store.rebuildProjections())",
            headers: ["time", "executions", "ledger rows", "totals rows", "differences", "target ≤ 3 s"])
        let report = outcome.report
        let differences = report.differences + report.ledgerRowsWithoutLog.count
        table.add([
            Format.duration(outcome.seconds), Format.grouped(report.executions), Format.grouped(report.ledgerRows),
            Format.grouped(report.totalsRows),
            differences == 0 ? "0 (ok)" : "\(differences) (executions \(report.executionDifferences), ledger \(report.ledgerDifferences), totals \(report.totalsDifferences), ledger rows without log \(report.ledgerRowsWithoutLog.count))",
            Format.verdict(outcome.seconds <= 3),
        ])
        return table
    }
}

extension LargeStoreBenchmark.OpenTimes {
    mutating func append(_ sample: (Double, Double, Double)) {
        open.append(sample.0)
        reader.append(sample.1)
        state.append(sample.2)
        total.append(sample.0 + sample.1 + sample.2)
    }
}
