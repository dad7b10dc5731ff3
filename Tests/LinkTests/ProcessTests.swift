import CloudConnector
import Foundation
import OutboxStore
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("The cloud-connector run process", .timeLimit(.minutes(4)))
    struct ProcessTests {
        static func environment(_ harness: LinkHarness, cloud: Bool = true) async -> [String: String] {
            var env = ["DEVICE_ID": testDevice, "TENANT_ID": testTenant, "CLOUD_CONNECTOR_DATA_DIR": harness.directory + "/device"]
            if cloud { env["CLOUD_WS_URL"] = await harness.urls().ws }
            return env
        }

        @Test("SIGKILL mid-replay, then restart: nothing lost, resends only above the cloud's acked_seq, nothing counted twice")
        func killedMidReplay() async throws {
            // A small window and delayed acks keep the replay going long enough to be cut in the middle.
            let harness = try await LinkHarness(maxInflight: 50, faults: CloudFaults(ackDelay: .milliseconds(5)))
            try await harness.append(count: 4_000, batch: 200)
            harness.store.close()
            let env = await Self.environment(harness)
            let first = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/first.log")
            try await eventually("the replay under way") {
                let held = try await harness.cloud.counts(deviceID: testDevice).messages
                return held >= 500
            }
            first.signal(SIGKILL)
            #expect(try await first.waitForExit() == SIGKILL + 128 || first.process.terminationReason == .uncaughtSignal)
            let atKill = try await harness.cloud.counts(deviceID: testDevice)
            #expect(atKill.messages < 4_000, "the kill must land mid-replay (cloud held \(atKill.messages))")

            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually(timeout: .seconds(120), "the rest of the backlog acked") {
                let backlog = try reader.backlog()
                return backlog.ackedSeq == 4_000 && backlog.pending == 0
            }
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.log)")

            let counts = try await harness.cloud.counts(deviceID: testDevice)
            #expect(counts.messages == 4_000)
            #expect(counts.duplicates == 0, "a resend at or below the cloud's acked_seq would be a duplicate")
            let seqs = try await harness.cloud.messages(deviceID: testDevice).map(\.seq)
            #expect(seqs == Array(1...4_000))
            await harness.finish()
        }

        @Test("SIGTERM closes with 1001 and exits 0; the status says stopped")
        func sigtermStopsGracefully() async throws {
            let harness = try await LinkHarness()
            try await harness.append(count: 10)
            harness.store.close()
            let process = try ConnectorProcess(["run"], environment: await Self.environment(harness), logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("delivery") { try reader.backlog().ackedSeq == 10 }
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(15)) == 0, "\(process.log)")
            #expect(try await harness.cloud.closures(deviceID: testDevice).last?.code == .goingAway)
            #expect(try reader.linkStatus()?.state == "stopped")
            #expect(await !harness.cloud.isConnected(testDevice))
            await harness.finish()
        }

        @Test("SIGTERM with messages in flight: their acks are awaited within the grace, then 1001")
        func sigtermFinishesInFlightSends() async throws {
            // Every ack takes a second: a SIGTERM right after the sends finds all of them in flight.
            let harness = try await LinkHarness(faults: CloudFaults(ackDelay: .seconds(1)))
            try await harness.append(count: 20)
            harness.store.close()
            let process = try ConnectorProcess(
                ["run", "--shutdown-grace", "10s"], environment: await Self.environment(harness),
                logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("all 20 sent") { try await harness.cloud.counts(deviceID: testDevice).messages == 20 }
            #expect(try reader.backlog().pending > 0, "the acks should still be on their way")
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(30)) == 0, "\(process.log)")
            #expect(try reader.backlog().pending == 0, "in-flight messages were acked before the close")
            #expect(try await harness.cloud.closures(deviceID: testDevice).last?.code == .goingAway)
            await harness.finish()
        }

        @Test("SIGTERM against a cloud that never acks: closes 1001 once the grace is over, keeps every message")
        func sigtermGraceIsBounded() async throws {
            let harness = try await LinkHarness(faults: CloudFaults(withholdAcks: true))
            try await harness.append(count: 10)
            harness.store.close()
            let env = await Self.environment(harness)
            let process = try ConnectorProcess(
                ["run", "--shutdown-grace", "1s"], environment: env, logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("all 10 sent") { try await harness.cloud.counts(deviceID: testDevice).messages == 10 }
            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(30)) == 0, "\(process.log)")
            #expect(ContinuousClock.now - signalled >= .milliseconds(900), "it waited for the grace")
            #expect(try await harness.cloud.closures(deviceID: testDevice).last?.code == .goingAway)
            #expect(try reader.backlog().pending == 10, "unacked messages stay held for the next run")

            // The next run learns from connect_ack that the cloud stored them: acked, none sent twice.
            try await harness.cloud.setFaults(CloudFaults())
            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            try await eventually("the held messages acked") { try reader.backlog().pending == 0 }
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.log)")
            let counts = try await harness.cloud.counts(deviceID: testDevice)
            #expect(counts.messages == 10)
            #expect(counts.duplicates == 0)
            await harness.finish()
        }

        @Test("an unreadable store is moved aside at start; run goes on with a fresh one above the cloud's acked_seq (R7)")
        func unreadableStoreIsQuarantined() async throws {
            let harness = try await LinkHarness()
            try await harness.append(count: 5)
            harness.store.close()
            let env = await Self.environment(harness)
            let first = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/first.log")
            try await eventually("the first run's messages on the cloud") { try await harness.cloud.counts(deviceID: testDevice).ackedSeq == 5 }
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0, "\(first.log)")

            let device = harness.directory + "/device/"
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: device + "outbox.sqlite" + suffix) }
            try Data((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: device + "outbox.sqlite"))
            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            let reader = try await {
                let deadline = ContinuousClock.now + .seconds(30)
                while true {
                    if let reader = try? StoreReaderForTests(directory: device), (try? reader.backlog()) != nil { return reader }
                    if ContinuousClock.now > deadline { throw CancellationError() }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }()
            try await eventually("the fresh store linked") { try reader.linkStatus()?.state == "live" }
            #expect(second.log.contains("moved aside"), "\(second.log)")
            let moved = try FileManager.default.contentsOfDirectory(atPath: device).filter { $0.hasPrefix("outbox.sqlite.corrupt-") }
            #expect(moved.count == 1, "\(moved)")
            let drafts = (1...2).map { round in
                MessageDraft(type: .executionEvent, payload: [
                    "event_id": .string("ev-after-quarantine-\(round)"), "request_id": "req-after", "event_type": "progress",
                    "data": ["message": "after"], "timestamp": "2026-12-03T10:00:00.000Z",
                ])
            }
            _ = try await reader.store.append(drafts)
            try await eventually("new messages acked above the cloud's 5") { try reader.backlog().ackedSeq == 7 }
            let status = try ConnectorProcess(["status"], environment: env, logPath: harness.directory + "/status.log")
            #expect(try await status.waitForExit() == 0)
            #expect(status.log.contains("an unreadable outbox was moved aside"), "\(status.log)")
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.log)")
            let counts = try await harness.cloud.counts(deviceID: testDevice)
            #expect(counts.messages == 7)
            #expect(counts.duplicates == 0)
            #expect(try await harness.cloud.messages(deviceID: testDevice).map(\.seq) == Array(1...7))
            await harness.finish()
        }

        @Test("standalone without CLOUD_WS_URL: says so, keeps local appends, SIGINT exits 0; a second run is refused; a later run with a cloud replays them (R14)")
        func standalone() async throws {
            let harness = try await LinkHarness()
            let env = await Self.environment(harness, cloud: false)
            let process = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("standalone reported") { try reader.linkStatus()?.state == "standalone" }
            #expect(process.log.contains("running standalone"))
            try await harness.append(count: 3)
            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            #expect(try await second.waitForExit() == 69, "\(second.log)")
            #expect(second.log.contains("already owned by process \(process.pid)"), "\(second.log)")
            process.signal(SIGINT)
            #expect(try await process.waitForExit() == 0, "\(process.log)")
            #expect(try reader.linkStatus()?.state == "stopped")
            #expect(try reader.backlog().pending == 3)

            // R14: once a cloud is configured, everything kept while standalone is replayed.
            let linked = try ConnectorProcess(
                ["run"], environment: await Self.environment(harness), logPath: harness.directory + "/linked.log")
            try await eventually("the standalone backlog acked") { try reader.backlog().pending == 0 }
            #expect(try await harness.cloud.messages(deviceID: testDevice).map(\.seq) == [1, 2, 3])
            linked.signal(SIGTERM)
            #expect(try await linked.waitForExit() == 0, "\(linked.log)")
            await harness.finish()
        }
    }
}

/// A read-only look at a store another process owns.
struct StoreReaderForTests {
    let store: OutboxStore

    init(directory: String) throws {
        store = try OutboxStore.open(
            directory: directory, identity: StoreIdentity(deviceID: testDevice, tenantID: testTenant), logger: testLogger("reader"))
    }

    func backlog() throws -> Backlog { try store.makeReader().backlog() }
    func linkStatus() throws -> LinkStatusRecord? { try store.makeReader().linkStatus() }
}
