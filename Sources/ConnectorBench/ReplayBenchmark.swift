import Foundation
import OutboxStore
import ReferenceCloud

/// P2: replay of a backlog to the reference cloud until acked, next to the raw WebSocket echo rate of
/// the same transport with the same frames and the same window, measured in the same run.
struct ReplayBenchmark {
    let root: String
    let messages: Int
    /// The echo client's window: the reference cloud's default max_inflight.
    static let window = 1_000
    /// Echo runs and replay runs each; medians are reported.
    static let runs = 3

    struct Replay: Sendable {
        /// From starting the service to the store's acked_seq == last_seq.
        var seconds: Double
        /// From starting the service to the first advance of acked_seq (token, connect, handshake,
        /// first page, first commit in the cloud).
        var firstAckSeconds: Double
        var cloud: DeviceCounts
        var shutdownSeconds: Double
    }

    struct Outcome: Sendable {
        var messages: Int
        var buildSeconds: Double
        var envelopeMeanBytes: Double
        /// Seconds of each echo run (as many messages as the backlog), interleaved with the replays.
        var echoSeconds: [Double]
        var replays: [Replay]

        var echoRate: Double { Double(messages) / Measure.median(echoSeconds) }
        var replayRate: Double { Double(messages) / Measure.median(replays.map(\.seconds)) }
        var ratio: Double { replayRate / echoRate }
    }

    /// Echo and replay runs alternate, so that a change in the machine's load (other work on a
    /// shared machine) weighs on both; each replay starts from a copy of the same unsent backlog.
    func run() async throws -> Outcome {
        let directory = root + "/p2"
        defer { Stores.remove(directory) }
        Progress.say("P2: building a backlog of \(Format.grouped(messages)) messages")
        let pristine = directory + "/backlog"
        let buildSeconds = try await Backlogs.build(pristine, count: messages, seed: 0x0002_5EED, label: "P2")
        let envelopes: [[UInt8]]
        do {
            let store = try Stores.open(pristine)
            defer { store.close() }
            envelopes = try Backlogs.envelopes(store, limit: messages)
        }
        guard envelopes.count == messages else {
            throw BenchFailure("P2: read \(envelopes.count) pending envelopes, expected \(messages)")
        }
        var echoSeconds: [Double] = []
        var replays: [Replay] = []
        for run in 1...Self.runs {
            Progress.say("P2: run \(run) of \(Self.runs): echo of \(Format.grouped(messages)) messages, window \(Self.window)")
            let echo = try await EchoBaseline.start()
            do {
                echoSeconds.append(try await echo.throughput(envelopes, count: messages, window: Self.window))
            } catch {
                await echo.stop()
                throw error
            }
            await echo.stop()
            Progress.say("P2: run \(run) of \(Self.runs): replay to the reference cloud")
            replays.append(try await replay(from: pristine, into: directory + "/run-\(run)"))
        }
        return Outcome(
            messages: messages, buildSeconds: buildSeconds, envelopeMeanBytes: Backlogs.meanBytes(envelopes),
            echoSeconds: echoSeconds, replays: replays)
    }

    private func replay(from pristine: String, into directory: String) async throws -> Replay {
        defer { Stores.remove(directory) }
        try Backlogs.copy(pristine, to: directory + "/device")
        // Opened as `cloud-connector run` opens it: default options (durability full for the acks).
        let store = try Stores.open(directory + "/device")
        defer { store.close() }
        let cloud = try await LinkRig.startCloud(directory + "/cloud")
        let settings = await LinkRig.settings(for: cloud)
        let reader = try store.makeReader()
        let start = Measure.now()
        let connector = InProcessConnector.start(store: store, settings: settings)
        let firstAck: ContinuousClock.Instant
        let done: ContinuousClock.Instant
        do {
            let timeout = Duration.seconds(60 + messages / 2_000)
            firstAck = try await AckWait.until(reader, ackedSeq: 1, timeout: timeout, "the first ack")
            done = try await AckWait.until(reader, ackedSeq: Int64(messages), timeout: timeout, "the whole backlog acked")
        } catch {
            try? await connector.stop()
            await cloud.stop()
            throw error
        }
        let (_, shutdownSeconds) = try await Measure.time { try await connector.stop() }
        let counts = try await cloud.counts(deviceID: Stores.identity.deviceID)
        await cloud.stop()
        guard counts.messages == messages, counts.ackedSeq == Int64(messages), counts.duplicates == 0 else {
            throw BenchFailure(
                "P2: the cloud holds \(counts.messages) messages (\(counts.duplicates) duplicates), acked_seq \(counts.ackedSeq); expected \(messages)")
        }
        return Replay(
            seconds: start.duration(to: done).seconds, firstAckSeconds: start.duration(to: firstAck).seconds,
            cloud: counts, shutdownSeconds: shutdownSeconds)
    }

    static func table(_ outcome: Outcome) -> Table {
        var table = Table(
            "P2 — replay of a \(Format.grouped(outcome.messages))-message backlog to the reference cloud, acked, vs raw WebSocket echo",
            headers: ["what", "time (median)", "messages/s", "runs, messages/s"], alignments: [.left, .right, .right, .left])
        func rates(_ seconds: [Double]) -> String {
            seconds.map { Format.rate(Double(outcome.messages) / $0) }.joined(separator: ", ")
        }
        let replaySeconds = outcome.replays.map(\.seconds)
        table.add([
            "echo: WebSocketTransport client → echo server → client, window \(window)",
            Format.duration(Measure.median(outcome.echoSeconds)), Format.rate(outcome.echoRate), rates(outcome.echoSeconds),
        ])
        table.add([
            "replay: service start → store acked_seq = last_seq", Format.duration(Measure.median(replaySeconds)),
            Format.rate(outcome.replayRate), rates(replaySeconds),
        ])
        table.add(["replay ÷ echo (target ≥ 0.50×)", "", Format.ratio(outcome.ratio), Format.verdict(outcome.ratio >= 0.5)])
        let firstAck = Measure.median(outcome.replays.map(\.firstAckSeconds))
        let shutdown = Measure.median(outcome.replays.map(\.shutdownSeconds))
        let duplicates = outcome.replays.reduce(0) { $0 + $1.cloud.duplicates }
        table.notes = [
            "frames: the backlog's own envelopes, mean \(Format.fixed(outcome.envelopeMeanBytes, 0)) B; the echo carries each frame both ways, the replay one way plus small acks",
            "replay: connector (in this process, store durability full, acks recorded durably) → reference cloud (in this process, SQLite synchronous=FULL, an ack after each burst's commit), max_inflight 1000, heartbeat \(LinkRig.heartbeatMS) ms; first ack after \(Format.duration(firstAck)) (token, connect, handshake, first page and commit), median",
            "runs alternate echo, replay, echo, …; each replay starts from a copy of the same unsent backlog with a fresh cloud; every cloud ended with all \(Format.grouped(outcome.messages)) messages and \(duplicates) duplicates; graceful stop after the replay took \(Format.duration(shutdown)) (median)",
            "backlog built untimed in \(Format.duration(outcome.buildSeconds)) (durability normal, units of 500)",
        ]
        return table
    }

    /// Rows for the Targets summary.
    static func targets(_ outcome: Outcome) -> [[String]] {
        [[
            "P2 replay ÷ echo, \(Format.grouped(outcome.messages)) backlog",
            "\(Format.ratio(outcome.ratio)) (\(Format.rate(outcome.replayRate)) vs \(Format.rate(outcome.echoRate)) msg/s)",
            "≥ 0.5×", Format.verdict(outcome.ratio >= 0.5),
        ]]
    }
}
