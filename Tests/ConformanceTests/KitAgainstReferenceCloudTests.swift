import Conformance
import ReferenceCloud
import Testing

/// The kit against the reference cloud: every check passes when it is healthy, and each broken mode
/// (the negative controls) fails exactly the check for its rule, with the precise reason, while every
/// other check still passes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct KitAgainstReferenceCloudTests {
    @Test func theHealthyReferenceCloudPassesEveryCheck() async throws {
        let cloud = try await CloudUnderTest.start()
        let results = try await cloud.runKit()
        await cloud.finish()
        #expect(results.count == ConformanceCatalog.all.count)
        for check in ConformanceCatalog.all {
            let result = try #require(results[check.id])
            #expect(result.outcome.status == "pass", "\(check.id): \(result.outcome.detail)")
        }
        #expect(results["R6.counted-once"]?.outcome.detail.contains("counted once") == true, "judged through the counts endpoint, not skipped")
        #expect(results["R15.oversized"]?.outcome.detail.contains("seq 1 was not stored") == true)
    }

    static let brokenModes: [(String, CloudFaults, String, String)] = [
        ("count_resends", CloudFaults(countResends: true), "R6.counted-once",
         "sent 5 distinct messages, 2 of them usage reports, plus seq 2 and 4 resent and seq 5 carrying the id of seq 2; the cloud counts 8 messages: duplicates were counted again (R6)"),
        ("ack_unreceived", CloudFaults(ackUnreceived: true), "R5.cumulative", "the cloud acked a seq it never received (R5)"),
        ("ignore_heartbeats", CloudFaults(ignoreHeartbeats: true), "R9.heartbeat", "heartbeat 1 of 3: no heartbeat_ack within 10 s"),
    ]

    @Test("each broken mode fails its own check, precisely, and only that one", arguments: brokenModes)
    func eachBrokenModeFailsItsCheck(_ mode: String, _ faults: CloudFaults, _ failing: String, _ reason: String) async throws {
        let cloud = try await CloudUnderTest.start(faults: faults)
        let results = try await cloud.runKit()
        await cloud.finish()
        let failed = try #require(results[failing])
        #expect(failed.outcome.isFailure, "\(mode): \(failing) passed: \(failed.outcome.detail)")
        #expect(failed.outcome.detail.contains(reason), "\(mode): \(failed.outcome.detail)")
        for check in ConformanceCatalog.all where check.id != failing {
            let result = try #require(results[check.id])
            #expect(result.outcome.status == "pass", "\(mode) should break only \(failing); \(check.id): \(result.outcome.detail)")
        }
    }

    /// ack_unreceived acks one above what it holds; with one burst the first ack already names it.
    @Test func anAckAboveWhatWasSentIsNamedWithWhatWasSent() async throws {
        let cloud = try await CloudUnderTest.start(faults: CloudFaults(ackUnreceived: true))
        let results = try await cloud.runKit(ConformanceCatalog.select(["R5.cumulative"]))
        await cloud.finish()
        let detail = try #require(results["R5.cumulative"]).outcome.detail
        // Whether the cloud stored 1..3 in one burst or several, the ack it sent names a seq above them.
        #expect(detail.hasPrefix("sent seq 1..3, got ack seq 4") || detail.hasPrefix("sent seq 1..6, got ack seq 7"), "\(detail)")
    }

    /// Checks that need a token say what to do when the cloud refuses one, and the key travels.
    @Test func aCloudThatWantsAnAPIKeyIsCheckedWithOneAndRefusesTheKitWithout() async throws {
        let cloud = try await CloudUnderTest.start(apiKeys: ["kit-key-1"])
        let checks = try ConformanceCatalog.select(["handshake", "R5.durable"])
        let withKey = try await cloud.runKit(checks, apiKey: "kit-key-1")
        let without = try await cloud.runKit(checks)
        await cloud.finish()
        for check in checks {
            #expect(withKey[check.id]?.outcome.status == "pass", "\(check.id): \(withKey[check.id]?.outcome.detail ?? "")")
        }
        let token = try #require(without["handshake.token"]).outcome
        #expect(token.isFailure)
        #expect(token.detail.contains("answered HTTP 401"), "\(token.detail)")
        #expect(token.detail.contains("--api-key"), "says what to do")
        #expect(without["R5.durable"]?.outcome.detail.contains("no device token to check with") == true)
        #expect(without["handshake.unauthorized"]?.outcome.status == "pass", "needs no token of its own")
    }
}
