import Foundation

/// `tools/bench`: the Cloud Connector's outbox benchmarks (issue 2, item 10) and link benchmarks
/// (issue 3), all in one run on one disk, with baselines measured in the same run. Figures are
/// printed, never asserted.
@main
struct Bench {
    static func main() async {
        let options: BenchOptions
        do {
            guard let parsed = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
                print(BenchOptions.usage)
                return
            }
            options = parsed
        } catch {
            FileHandle.standardError.write(Data("connector-bench: \(error)\n\n\(BenchOptions.usage)\n".utf8))
            exit(2)
        }
        let root = options.dataRoot ?? FileManager.default.currentDirectoryPath + "/bench-data"
        let runDirectory = root + "/run-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try await run(options, directory: try Stores.makeDirectory(runDirectory))
        } catch {
            FileHandle.standardError.write(Data("connector-bench: failed: \(error)\n".utf8))
            cleanUp(options, root: root, run: runDirectory)
            exit(1)
        }
        cleanUp(options, root: root, run: runDirectory)
    }

    static func run(_ options: BenchOptions, directory: String) async throws {
        let started = Measure.now()
        // Before anything is measured: P4 needs the connector binary, and says how to build it.
        let connectorExecutable = options.only.contains(.p4) ? try ReplayMemoryBenchmark.locateExecutable() : nil
        var summary = Table("Targets", headers: ["benchmark", "figure", "target", "verdict"],
                            alignments: [.left, .right, .left, .left])
        func emit(_ table: Table) {
            print(table.render(markdown: options.markdown))
        }

        let stamp = ISO8601DateFormatter().string(from: Date())
        print(options.markdown ? "### Outbox benchmark (tools/bench, \(stamp))\n" : "Outbox benchmark (tools/bench), \(stamp)\n")
        Progress.say("measuring fsync latency in \(directory)")
        let facts = try MachineFacts.measure(directory: directory)
        emit(facts.table)

        if options.only.contains(.p1) {
            let outcome = try await AppendBenchmark(root: directory, options: options, facts: facts).run()
            AppendBenchmark.tables(outcome).forEach(emit)
            if let ratio = outcome.ratio64 {
                summary.add(["P1 outbox, 64 producers ÷ raw limit", Format.percent(ratio), "≥ 50 %", Format.verdict(ratio >= 0.5)])
            }
            if let row = outcome.rows.first(where: { $0.producers == 64 }) {
                summary.add(["P1 outbox, 64 producers ÷ naive", Format.ratio(row.outbox.rate / row.naive.rate), "(reported)", ""])
            }
        }

        if options.only.contains(.p2) {
            let outcome = try await ReplayBenchmark(root: directory, messages: options.replayMessages).run()
            emit(ReplayBenchmark.table(outcome))
            ReplayBenchmark.targets(outcome).forEach { summary.add($0) }
        }
        if options.only.contains(.p3) {
            let outcome = try await LatencyBenchmark(root: directory, samples: options.samples).run()
            emit(LatencyBenchmark.table(outcome, samples: options.samples))
            LatencyBenchmark.targets(outcome).forEach { summary.add($0) }
        }
        if let connectorExecutable {
            let sizes = Array(Set([0, min(options.replayMessages, options.messages), options.messages])).sorted()
            let runs = try await ReplayMemoryBenchmark(root: directory, executable: connectorExecutable, sizes: sizes).run()
            emit(ReplayMemoryBenchmark.table(runs))
            ReplayMemoryBenchmark.targets(runs).forEach { summary.add($0) }
        }

        if options.only.contains(.p5) || options.only.contains(.p6) {
            let large = LargeStoreBenchmark(
                directory: options.reuseStore ?? directory + "/p5-store", messages: options.messages,
                reuse: options.reuseStore != nil)
            Progress.say("P5: building a \(Format.grouped(options.messages))-message store")
            let build = try await large.build()
            emit(LargeStoreBenchmark.buildTable(build, messages: options.messages))
            if options.only.contains(.p5) {
                Progress.say("P5: timing opens")
                let outcome = try large.measureOpen()
                emit(LargeStoreBenchmark.openTable(outcome, messages: options.messages))
                let warm = Measure.median(outcome.warm.total)
                let cold = Measure.median(outcome.cold.total)
                summary.add(["P5 open + ready, warm (median)", Format.duration(warm), "≤ 1 s", Format.verdict(warm <= 1)])
                summary.add(["P5 open + ready, cold (median)", Format.duration(cold), "≤ 1 s", Format.verdict(cold <= 1)])
                let probedWarm = Measure.median(outcome.probedWarm.total)
                let probedCold = Measure.median(outcome.probedCold.total)
                summary.add([
                    "P5 with run's damage probe, warm / cold (median)",
                    Format.duration(probedWarm) + " / " + Format.duration(probedCold), "≤ 1 s",
                    Format.verdict(probedCold <= 1),
                ])
            }
            if options.only.contains(.p6) {
                Progress.say("P6: rebuilding projections")
                let outcome = try large.measureRebuild()
                emit(LargeStoreBenchmark.rebuildTable(outcome, messages: options.messages))
                let clean = outcome.report.differences == 0 && outcome.report.ledgerRowsWithoutLog.isEmpty
                summary.add([
                    "P6 rebuild" + (clean ? " (0 differences)" : " (DIFFERENCES FOUND)"), Format.duration(outcome.seconds),
                    "≤ 3 s", Format.verdict(outcome.seconds <= 3 && clean),
                ])
            }
            if !options.keep && !large.reuse { Stores.remove(large.directory) }
        }

        if options.only.contains(.p7) {
            let disk = DiskBenchmark(root: directory, events: options.sizeEvents)
            let outcome = try await disk.run()
            emit(DiskBenchmark.table(outcome))
            summary.add([
                "P7 KB per ~1 KB event", Format.fixed(outcome.kilobytesPerEvent, 3), "≤ 0.7",
                Format.verdict(outcome.kilobytesPerEvent <= 0.7),
            ])
            if !options.keep { Stores.remove(disk.directory) }
        }

        if options.messages != 1_000_000 && (options.only.contains(.p5) || options.only.contains(.p6)) {
            summary.notes.append("scaled down: P5/P6 store of \(Format.grouped(options.messages)) messages (targets are for 1,000,000)")
        }
        if options.messages != 1_000_000 && options.only.contains(.p4) {
            summary.notes.append("scaled down: P4's large backlog is \(Format.grouped(options.messages)) messages (the target is for 1,000,000)")
        }
        summary.notes.append(
            "whole run: \(Format.duration(Measure.seconds(since: started))) on \(facts.cores) cores; load average at the end "
                + MachineFacts.currentLoadAverage())
        emit(summary)
    }

    static func cleanUp(_ options: BenchOptions, root: String, run: String) {
        if options.keep {
            Progress.say("kept the run's data in \(run)")
            return
        }
        Stores.remove(run)
        // Remove the default parent folder too when nothing else is in it.
        if options.dataRoot == nil, (try? FileManager.default.contentsOfDirectory(atPath: root))?.isEmpty == true {
            Stores.remove(root)
        }
    }
}
