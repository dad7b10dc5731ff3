@_spi(Faults) import CloudConnector
import ConnectorCore
import FaultProxy
import Foundation
import SocketTestSupport
import Testing

extension LinkSuites {
    @Suite("Liveness: stale links, bad frames", .timeLimit(.minutes(3)))
    struct LivenessTests {
        @Test("a cloud that goes silent is declared stale after 3 heartbeat intervals, and the link reconnects (R9)")
        func silentPeerIsStale() async throws {
            let harness = try await LinkHarness(proxied: true, heartbeatMS: 200)
            let connector = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("the first session") { (try harness.linkStatus()?.state) == "live" }
            // TCP stays open, nothing arrives from the cloud any more.
            harness.proxy!.stall(.downstream)
            try await eventually("the link declared stale") {
                (try harness.linkStatus()?.lastError ?? "").contains("no frame from the cloud")
            }
            harness.proxy!.resume(.downstream)
            try await eventually("a new session") { (try harness.linkStatus()?.sessions ?? 0) >= 2 }
            let status = try #require(try harness.linkStatus())
            #expect(status.lastError?.contains("3 heartbeat intervals") == true)
            try await harness.append(count: 5)
            try await eventually("the new session carries messages") { try harness.backlog().ackedSeq == 5 }
            try await connector.stop()
            await harness.finish()
        }

        @Test("malformed and unknown frames are logged and dropped; the link stays up (R15)")
        func badFramesKeepTheLink() async throws {
            let harness = try await LinkHarness()
            let log = CapturedLog()
            let connector = RunningConnector.start(await harness.settings(), store: harness.store, logger: log.logger("connector"))
            try await harness.append(count: 5)
            try await eventually("first messages acked") { try harness.backlog().ackedSeq == 5 }
            try await harness.cloud.sendMalformed(to: testDevice)
            try await harness.cloud.send(["type": "firmware_offer", "payload": ["version": "9"]], to: testDevice)
            try await harness.append(count: 5, seed: 8)
            try await eventually("later messages acked") { try harness.backlog().ackedSeq == 10 }
            let status = try #require(try harness.linkStatus())
            #expect(status.connectAttempts == 1, "the link must not have been dropped")
            #expect(status.sessions == 1)
            #expect(try await harness.cloud.counts(deviceID: testDevice).messages == 10)
            // Each bad frame was logged with its reason: invalid JSON, no type, binary, over 1 MiB.
            let dropped = log.all.filter { $0.level == .warning && $0.message == "dropped a malformed frame from the cloud" }
            #expect(dropped.count == 4, "\(dropped.map(\.metadata))")
            let reasons = dropped.compactMap { $0.metadata["reason"]?.description }
            #expect(reasons.contains { $0.contains("binary") } && reasons.contains { $0.contains("1048576") || $0.contains("MiB") })
            // Unknown types are logged and ignored, not counted as malformed.
            let ignored = log.all.filter { $0.message == "ignored a frame from the cloud" }.compactMap { $0.metadata["frame.type"]?.description }
            #expect(ignored.contains("firmware_offer"), "\(ignored)")
            #expect(ignored.count == 2, "\(ignored)")
            try await connector.stop()
            await harness.finish()
        }

        @Test("heartbeats keep their pace while a 30k backlog replays at full speed (R8)")
        func heartbeatsDuringReplay() async throws {
            let harness = try await LinkHarness(heartbeatMS: 100)
            try await harness.append(count: 30_000, batch: 500)
            let started = Int64(Date().timeIntervalSince1970 * 1000)
            let connector = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually(timeout: .seconds(120), "the backlog acked") { try harness.backlog().ackedSeq == 30_000 }
            let finished = Int64(Date().timeIntervalSince1970 * 1000)
            try await connector.stop()
            let beats = try await harness.cloud.heartbeatTimes(deviceID: testDevice)
            // From the first heartbeat (one interval after connect_ack) to the end of the replay.
            let during = beats.filter { $0 <= finished }
            let gaps = zip(during.dropFirst(), during).map { $0 - $1 }
            print("heartbeats: replay \(finished - started) ms, \(during.count) heartbeats, largest gap \(gaps.max() ?? 0) ms")
            #expect(during.count >= 3, "replay took \(finished - started) ms")
            // A starved heartbeat would wait for the whole replay (seconds); allow scheduling noise.
            #expect((gaps.max() ?? 0) < 450, "gaps \(gaps)")
            await harness.finish()
        }
    }
}

extension LinkSuites {
    @Suite("Appends reach the link without a poll", .timeLimit(.minutes(2)))
    struct AppendNotificationTests {
        @Test("each of several sparse appends is sent and acked on its own, with the safety poll off")
        func sparseAppendsFlowWithoutPolling() async throws {
            let harness = try await LinkHarness()
            var settings = await harness.settings()
            // No poll to fall back on within the test: only the watch can deliver these appends.
            settings.storeSafetyPoll = .seconds(3_600)
            let connector = RunningConnector.start(settings, store: harness.store)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            for round in 1...6 {
                try await harness.append(count: 1, seed: UInt64(100 + round))
                // Nothing else writes the store until this one is acked: a missed wake-up hangs here.
                try await eventually(timeout: .seconds(10), "append \(round) acked") {
                    try harness.backlog().ackedSeq == Int64(round)
                }
                try await Task.sleep(for: .milliseconds(150))
            }
            try await connector.stop()
            await harness.finish()
        }

        /// Appends `rounds` messages one at a time with `cloud-connector outbox append` (another
        /// process) while the link runs here with its safety poll off; whether each was acked in time.
        static func appendFromAnotherProcess(rounds: Int, faults: LinkFaults, wait: Duration) async throws -> [Bool] {
            let harness = try await LinkHarness()
            var settings = await harness.settings(faults: faults)
            settings.storeSafetyPoll = .seconds(3_600)
            let connector = RunningConnector.start(settings, store: harness.store)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let environment = ["DEVICE_ID": testDevice, "TENANT_ID": testTenant, "CLOUD_CONNECTOR_DATA_DIR": harness.directory + "/device"]
            var acked: [Bool] = []
            for round in 1...rounds {
                let payload = #"{"event_id":"ev-cli-\#(round)","request_id":"req-cli","event_type":"progress","data":{"progress":0.5},"timestamp":"2026-11-24T10:00:00Z"}"#
                let append = try ConnectorProcess(
                    ["outbox", "append", "--type", "execution_event", "--payload", payload],
                    environment: environment, logPath: harness.directory + "/append-\(round).log")
                #expect(try await append.waitForExit() == 0, "\(append.log)")
                let deadline = ContinuousClock.now + wait
                while try harness.backlog().ackedSeq < Int64(round), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                acked.append(try harness.backlog().ackedSeq == Int64(round))
                if acked.last == false { break }
            }
            try await connector.stop()
            await harness.finish()
            return acked
        }

        @Test("appends by another process (`outbox append`) are sent and acked promptly, with the safety poll off")
        func appendsFromAnotherProcessFlow() async throws {
            // Only the data-directory watch can tell this process about another process's commit.
            let acked = try await Self.appendFromAnotherProcess(rounds: 4, faults: [], wait: .seconds(15))
            #expect(acked == [true, true, true, true])
        }

        @Test("negative control: without the file watch, another process's append waits for the poll")
        func withoutTheWatchAnotherProcessWaits() async throws {
            let acked = try await Self.appendFromAnotherProcess(rounds: 1, faults: .ignoreFileWatch, wait: .seconds(3))
            #expect(acked == [false])
        }
    }
}
