import Foundation
import OutboxStore
import ReferenceCloud

/// P4: peak resident memory of the connector while it replays a backlog, in a process of its own
/// (the built `cloud-connector run`), for a small and a large backlog: memory must not grow with the
/// backlog. An empty outbox, connected, gives the floor.
struct ReplayMemoryBenchmark {
    let root: String
    let executable: String
    /// Backlog sizes, e.g. [0, 100_000, 1_000_000].
    let sizes: [Int]
    static let sampleInterval: Duration = .milliseconds(50)
    /// How long the empty-outbox run stays connected before it is sampled.
    static let idleTime: Duration = .seconds(2)

    struct Run: Sendable {
        var messages: Int
        var buildSeconds: Double
        /// From spawning the child to acked_seq == last_seq (to connected, for an empty outbox).
        var replaySeconds: Double
        /// When the backlog was fully acked.
        var atAcked: RSSProbe.Sample
        /// The largest anonymous RSS of the 50 ms samples (VmHWM has no anonymous-only twin).
        var sampledPeakAnonymous: Int64
        /// CPU seconds the child used until then (startup included).
        var cpuSeconds: Double?
        var samples: Int
        var termination: ChildProcess.Termination?
        var storeBytes: Int64
        var cloudMessages: Int
    }

    static let executableName = "cloud-connector"
    static let buildHint = "swift build -c release --product cloud-connector --scratch-path .build-bench"

    /// `cloud-connector` next to this executable; this benchmark builds nothing.
    static func locateExecutable() throws -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent(executableName)
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchFailure(
                "P4 runs the connector in its own process, but \(path) does not exist. Build it next to connector-bench first:\n    \(buildHint)\n(tools/bench builds both.)")
        }
        return path
    }

    func run() async throws -> [Run] {
        var runs: [Run] = []
        for (index, size) in sizes.enumerated() {
            runs.append(try await measure(size, seed: 0x0004_5EED &+ UInt64(index)))
        }
        return runs
    }

    private func measure(_ count: Int, seed: UInt64) async throws -> Run {
        let directory = root + "/p4-\(count)"
        defer { Stores.remove(directory) }
        let data = directory + "/device"
        Progress.say("P4: building a backlog of \(Format.grouped(count)) messages")
        let buildSeconds = try await Backlogs.build(data, count: count, seed: seed, label: "P4")
        let storeBytes = Stores.fileBytes(data)
        let store = try Stores.open(data) { $0.maxOutboxBytes = Stores.bulkMaxOutboxBytes }
        defer { store.close() }
        let reader = try store.makeReader()

        let cloud = try await LinkRig.startCloud(directory + "/cloud")
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !(name.hasPrefix("CLOUD_") || name.hasPrefix("OUTBOX_") || ["DEVICE_ID", "TENANT_ID", "LOG_LEVEL"].contains(name))
        }
        environment["CLOUD_WS_URL"] = await cloud.webSocketURL
        environment["CLOUD_CONNECTOR_DATA_DIR"] = data
        environment["DEVICE_ID"] = Stores.identity.deviceID
        environment["TENANT_ID"] = Stores.identity.tenantID
        environment["LOG_LEVEL"] = "warning"
        Progress.say("P4: \(Self.executableName) run replays \(Format.grouped(count)) messages")
        let child = try ChildProcess.spawn(
            executable, arguments: ["run", "--data-dir", data, "--max-outbox-bytes", "\(Stores.bulkMaxOutboxBytes)"],
            environment: environment)
        let probe = RSSProbe(pid: child.pid)
        let start = Measure.now()
        var samples = 0
        var peakAnonymous: Int64 = 0
        let atAcked: RSSProbe.Sample
        let replaySeconds: Double
        let cpuSeconds: Double?
        do {
            let deadline = start + .seconds(60 + count / 2_000)
            var connectedAt: ContinuousClock.Instant?
            while true {
                if let ended = child.poll() {
                    throw BenchFailure("P4: \(Self.executableName) run ended early (\(ended)); its log is above")
                }
                guard let sample = probe.sample() else { throw BenchFailure("P4: cannot read /proc/\(child.pid)/status") }
                samples += 1
                peakAnonymous = max(peakAnonymous, sample.anonymous)
                let now = Measure.now()
                if count > 0 {
                    if try reader.sequenceState().ackedSeq >= Int64(count) {
                        // The peak is read again now: VmHWM covers everything up to this instant.
                        atAcked = probe.sample() ?? sample
                        cpuSeconds = child.cpuSeconds()
                        replaySeconds = start.duration(to: now).seconds
                        break
                    }
                } else if let connectedAt {
                    if now - connectedAt >= Self.idleTime {
                        atAcked = probe.sample() ?? sample
                        cpuSeconds = child.cpuSeconds()
                        replaySeconds = start.duration(to: connectedAt).seconds
                        break
                    }
                } else if await cloud.isConnected(Stores.identity.deviceID) {
                    connectedAt = now
                }
                guard now < deadline else {
                    let state = try reader.sequenceState()
                    throw BenchFailure("P4: timed out: acked_seq \(state.ackedSeq) of \(count)")
                }
                try await Task.sleep(for: Self.sampleInterval)
            }
        } catch {
            child.forceStop()
            await cloud.stop()
            throw error
        }
        child.signal(SIGTERM)
        let termination = await child.wait(timeout: .seconds(20))
        if termination == nil {
            Progress.say("P4: \(Self.executableName) run did not exit within 20 s of SIGTERM; killing it")
            child.forceStop()
        }
        let counts = try await cloud.counts(deviceID: Stores.identity.deviceID)
        await cloud.stop()
        guard counts.messages == count else {
            throw BenchFailure("P4: the cloud holds \(counts.messages) messages, expected \(count)")
        }
        return Run(
            messages: count, buildSeconds: buildSeconds, replaySeconds: replaySeconds, atAcked: atAcked,
            sampledPeakAnonymous: peakAnonymous, cpuSeconds: cpuSeconds, samples: samples, termination: termination,
            storeBytes: storeBytes.database + storeBytes.wal, cloudMessages: counts.messages)
    }

    /// The target: the largest backlog's peak ≤ 64 MiB, and within 10 % or 4 MiB of the smaller
    /// non-empty backlog's peak.
    static let limit: Int64 = 64 << 20
    static let flatBytes: Int64 = 4 << 20

    static func isFlat(_ small: Run, _ large: Run) -> Bool {
        large.atAcked.peak - small.atAcked.peak <= max(flatBytes, small.atAcked.peak / 10)
    }

    static func table(_ runs: [Run]) -> Table {
        var table = Table(
            "P4 — peak RSS of `cloud-connector run` (own process) replaying a backlog to the reference cloud",
            headers: [
                "backlog", "store on disk", "replay (spawn → all acked)", "connector CPU", "peak RSS (VmHWM)",
                "RSS then: anon / file", "anon, max sampled", "SIGTERM →",
            ],
            alignments: [.left, .right, .right, .right, .right, .right, .right, .left])
        for run in runs {
            let replay =
                run.messages == 0
                ? "connected after \(Format.duration(run.replaySeconds))"
                : Format.duration(run.replaySeconds) + " (" + Format.rate(Double(run.messages) / run.replaySeconds) + " msg/s)"
            table.add([
                run.messages == 0 ? "empty (connected, idle \(Format.duration(idleTime.seconds)))" : Format.grouped(run.messages) + " messages",
                Format.bytes(run.storeBytes), replay,
                run.cpuSeconds.map { cpu in
                    Format.duration(cpu) + (run.messages == 0 ? "" : " (" + Format.percent(cpu / run.replaySeconds) + ")")
                } ?? "?",
                Format.bytes(run.atAcked.peak),
                Format.bytes(run.atAcked.anonymous) + " / " + Format.bytes(run.atAcked.file),
                Format.bytes(run.sampledPeakAnonymous), run.termination.map { "\($0)" } ?? "no exit within 20 s (killed)",
            ])
        }
        table.notes = [
            "VmHWM is the kernel's high-water mark of the child's resident set (heap, stacks, and the touched pages of its code and libraries), read when acked_seq reached last_seq; anon/file split of VmRSS at that moment; the anon maximum is of \(Format.duration(sampleInterval.seconds)) samples",
            "target: ≤ \(Format.bytes(limit)) and flat — the largest backlog's peak within 10 % or \(Format.bytes(flatBytes)) of the smaller one's",
            "connector CPU: user + system time of the child until the backlog was acked (startup included), and its share of the wall time; the reference cloud runs in the bench process and shares the \(ProcessInfo.processInfo.activeProcessorCount) cores",
            "backlogs built untimed (durability normal, units of 500): " + runs.filter { $0.messages > 0 }.map { "\(Format.grouped($0.messages)) in \(Format.duration($0.buildSeconds))" }.joined(separator: ", "),
            "child: CLOUD_WS_URL=<reference cloud in the bench process, heartbeat \(LinkRig.heartbeatMS) ms>, DEVICE_ID/TENANT_ID of the store, LOG_LEVEL=warning, --max-outbox-bytes as the store was built with; expected SIGTERM → exit 0",
        ]
        return table
    }

    /// Rows for the Targets summary: the largest backlog's peak, and how flat it is.
    static func targets(_ runs: [Run]) -> [[String]] {
        guard let large = runs.last else { return [] }
        let clean = large.termination == .exited(0)
        var rows = [[
            "P4 peak RSS replaying \(Format.grouped(large.messages))"
                + (clean ? "" : " (SIGTERM: \(large.termination.map { "\($0)" } ?? "no exit"))"),
            Format.bytes(large.atAcked.peak), "≤ \(Format.bytes(limit))", Format.verdict(large.atAcked.peak <= limit && clean),
        ]]
        let nonEmpty = runs.filter { $0.messages > 0 }
        if nonEmpty.count >= 2, let small = nonEmpty.first {
            let growth = large.atAcked.peak - small.atAcked.peak
            rows.append([
                "P4 flat: \(Format.grouped(large.messages)) vs \(Format.grouped(small.messages)) peak",
                (growth < 0 ? "-" : "+") + Format.bytes(abs(growth)) + " ("
                    + Format.percent(Double(growth) / Double(small.atAcked.peak)) + ")",
                "≤ 10 % or \(Format.bytes(flatBytes))", Format.verdict(isFlat(small, large)),
            ])
        }
        return rows
    }
}
