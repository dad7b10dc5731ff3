import Foundation
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("What the device says about itself: connect.resume and heartbeat", .timeLimit(.minutes(2)))
    struct SelfReportTests {
        @Test("heartbeat carries the store's last_seq and unacked count; a reconnect resumes from the highest seq assigned")
        func heartbeatAndResumeMatchTheStore() async throws {
            let harness = try await LinkHarness(heartbeatMS: 200, faults: CloudFaults(withholdAcks: true))
            let first = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            #expect(try await harness.cloud.reports(deviceID: testDevice).resumeLastSeqs == [0])
            try await harness.append(count: 7)
            try await eventually("a heartbeat reporting 7 assigned, 7 unacked") {
                try await harness.cloud.reports(deviceID: testDevice).heartbeats.last == HeartbeatReport(lastSeq: 7, pending: 7)
            }
            try await first.stop()

            try await harness.cloud.setFaults(CloudFaults())
            let second = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("everything acked") { try harness.backlog().ackedSeq == 7 }
            #expect(try await harness.cloud.reports(deviceID: testDevice).resumeLastSeqs == [0, 7])
            try await eventually("a heartbeat reporting nothing unacked") {
                try await harness.cloud.reports(deviceID: testDevice).heartbeats.last == HeartbeatReport(lastSeq: 7, pending: 0)
            }
            try await second.stop()
            await harness.finish()
        }

        @Test("once the link is caught up, status counts every message sent, without waiting for the flush interval")
        func countersAreCompleteWhenCaughtUp() async throws {
            let harness = try await LinkHarness()
            var settings = await harness.settings()
            settings.statusFlushInterval = .seconds(3_600)
            let connector = RunningConnector.start(settings, store: harness.store)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            try await harness.append(count: 5)
            try await eventually("all acked") { try harness.backlog().ackedSeq == 5 }
            try await eventually("the status counts the 5 sent") { try harness.linkStatus()?.messagesSent == 5 }
            try await connector.stop()
            await harness.finish()
        }
    }
}
