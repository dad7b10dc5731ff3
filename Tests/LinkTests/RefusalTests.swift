import CloudConnector
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("Refused device tokens", .timeLimit(.minutes(3)))
    struct RefusalTests {
        @Test("401 on the token: attempts follow the refusal backoff, nothing is dropped, status says why")
        func refusedTokenBacksOff() async throws {
            let harness = try await LinkHarness(faults: CloudFaults(refuseTokens: true))
            try await harness.append(count: 20)
            let connector = RunningConnector.start(await harness.settings(), store: harness.store)
            try await Task.sleep(for: .milliseconds(2_500))
            let refused = try #require(try harness.linkStatus())
            // Refusal backoff in these tests: 100–400 ms per attempt, so 2.5 s allow about 6 to 25.
            #expect(refused.tokenRefusals >= 3, "attempts must go on: \(refused.tokenRefusals)")
            #expect(refused.tokenRefusals <= 30, "no tight loop: \(refused.tokenRefusals) refusals in 2.5 s")
            #expect(refused.lastError?.contains("refused this device (HTTP 401)") == true, "\(refused.lastError ?? "nil")")
            #expect(["backing_off", "fetching_token"].contains(refused.state))
            #expect(refused.sessions == 0)
            #expect(try harness.backlog().pending == 20, "queued messages are kept")

            try await harness.cloud.setFaults(CloudFaults())
            try await eventually("delivery once the cloud lets the device in") { try harness.backlog().ackedSeq == 20 }
            #expect(try await harness.cloud.counts(deviceID: testDevice).messages == 20)
            try await connector.stop()
            await harness.finish()
        }
    }
}
