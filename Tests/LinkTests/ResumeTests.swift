@_spi(Faults) import CloudConnector
import Foundation
import OutboxStore
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("Resume after one side lost its store (R7)", .timeLimit(.minutes(3)))
    struct ResumeTests {
        /// Delivers 50, wipes the cloud's copy, and reports what the cloud holds once the link is back.
        static func wipedCloud(faults: LinkFaults) async throws -> (cloudMessages: Int, rewind: AckRewind?) {
            let harness = try await LinkHarness()
            try await harness.append(count: 50)
            let connector = RunningConnector.start(await harness.settings(faults: faults), store: harness.store)
            try await eventually("first delivery") { try harness.backlog().ackedSeq == 50 }
            try await harness.cloud.wipe(deviceID: testDevice)
            try await eventually("a session after the wipe") { (try harness.linkStatus()?.sessions ?? 0) >= 2 }
            try await harness.append(count: 5, seed: 9)
            // The new messages are acked only after everything before them was resent (in order).
            try await eventually("the new messages acked") { try harness.backlog().ackedSeq == 55 }
            try await connector.stop()
            let result = (try await harness.cloud.counts(deviceID: testDevice).messages, try harness.store.makeReader().lastAckRewind())
            await harness.finish()
            return result
        }

        @Test("a cloud whose store was wiped (acked_seq 0) gets everything the device still holds")
        func wipedCloudGetsEverything() async throws {
            let (messages, rewind) = try await Self.wipedCloud(faults: [])
            #expect(messages == 55)
            #expect(rewind?.fromSeq == 50)
            #expect(rewind?.toSeq == 0)
        }

        @Test("negative control: ignoring the lower acked_seq leaves the wiped cloud without the old messages")
        func ignoringTheRewindLosesMessages() async throws {
            let (messages, _) = try await Self.wipedCloud(faults: .ignoreRewind)
            #expect(messages < 55)
        }

        @Test("a device whose store was wiped continues above the cloud's acked_seq, reusing no seq")
        func wipedDeviceContinuesAbove() async throws {
            let harness = try await LinkHarness()
            try await harness.append(count: 30)
            let first = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("first delivery") { try harness.backlog().ackedSeq == 30 }
            try await first.stop()

            // The device loses its store: a fresh one, same device and tenant.
            let fresh = harness.directory + "/device-reinstalled"
            try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
            let store = try OutboxStore.open(
                directory: fresh, identity: StoreIdentity(deviceID: testDevice, tenantID: testTenant), logger: testLogger("store"))
            let second = RunningConnector.start(await harness.settings(), store: store)
            try await eventually("the seq jump recorded") { try store.makeReader().lastSequenceJump() != nil }
            let appended = try await store.append(harness.drafts(count: 10, seed: 99))
            #expect(appended.first?.seq == 31, "the first new seq must follow the cloud's acked_seq 30")
            try await eventually("the new messages acked") { try store.makeReader().backlog().ackedSeq == 40 }
            try await second.stop()

            let counts = try await harness.cloud.counts(deviceID: testDevice)
            #expect(counts.messages == 40, "all 30 old and 10 new messages, none taken for a duplicate")
            #expect(counts.duplicates == 0)
            #expect(counts.highestSeq == 40)
            let jump = try #require(try store.makeReader().lastSequenceJump())
            #expect(jump.fromSeq == 0 && jump.toSeq == 30)
            store.close()
            await harness.finish()
        }

        @Test("a reinstalled device's messages appended before its first connect move past the cloud's acked_seq, ids kept")
        func wipedDeviceKeepsEarlyAppends() async throws {
            let harness = try await LinkHarness()
            try await harness.append(count: 30)
            let first = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("first delivery") { try harness.backlog().ackedSeq == 30 }
            try await first.stop()

            let fresh = harness.directory + "/device-reinstalled"
            try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
            let store = try OutboxStore.open(
                directory: fresh, identity: StoreIdentity(deviceID: testDevice, tenantID: testTenant), logger: testLogger("store"))
            // Appended standalone, before the cloud could say where its seqs end: seqs 1...5 here.
            let early = try await store.append(harness.drafts(count: 5, seed: 77))
            #expect(early.map(\.seq) == [1, 2, 3, 4, 5])
            let second = RunningConnector.start(await harness.settings(), store: store)
            try await eventually("the early messages delivered") { try store.makeReader().backlog().ackedSeq == 35 }
            try await second.stop()

            let cloud = try await harness.cloud.messages(deviceID: testDevice)
            #expect(cloud.count == 35)
            #expect(Array(cloud.suffix(5).map(\.id)) == early.map(\.id.description), "moved, not re-identified")
            #expect(Array(cloud.suffix(5).map(\.seq)) == [31, 32, 33, 34, 35])
            #expect(try await harness.cloud.counts(deviceID: testDevice).duplicates == 0)
            store.close()
            await harness.finish()
        }
    }
}
