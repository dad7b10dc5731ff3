import CloudConnector
import Foundation
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("Refusals at the WebSocket upgrade", .timeLimit(.minutes(2)))
    struct UpgradeRefusalTests {
        @Test("a restarted cloud that no longer knows the token refuses the upgrade with 401: a new token is fetched")
        func upgrade401RefetchesTheToken() async throws {
            let harness = try await LinkHarness()
            let connector = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("the first session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let port = await harness.cloud.port
            await harness.cloud.stop()
            // Same port, a new store (tokens included): the device's cached token, valid for an hour by
            // its own clock, is unknown now. Without a new token it would be refused for that hour.
            let restarted = ReferenceCloud(
                configuration: ReferenceCloudConfiguration(port: port, dataDirectory: harness.directory + "/cloud-new"),
                logger: testLogger("cloud"))
            try await restarted.start()
            try await harness.append(count: 3)
            try await eventually(timeout: .seconds(30), "a session on the restarted cloud") {
                (try harness.linkStatus()?.sessions ?? 0) >= 2
            }
            try await eventually("delivery") { try harness.backlog().ackedSeq == 3 }
            try await connector.stop()
            await restarted.stop()
            await harness.finish()
        }

        @Test("403 at the upgrade takes the refusal backoff and says so")
        func upgrade403BacksOff() async throws {
            let harness = try await LinkHarness(proxied: true)
            let connector = RunningConnector.start(await harness.settings(), store: harness.store)
            try await eventually("the first session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            // The device keeps its (valid) token; the cloud now refuses the device at the upgrade.
            try await harness.cloud.setFaults(CloudFaults(refusedDevices: [testDevice]))
            harness.proxy!.cutAll()
            try await Task.sleep(for: .seconds(2))
            let status = try #require(try harness.linkStatus())
            #expect(status.lastError?.contains("HTTP 403") == true, "\(status.lastError ?? "nil")")
            // Refusal backoff here is 100–400 ms; the network backoff (20–200 ms) would allow ~3x more.
            #expect(status.connectAttempts >= 2 && status.connectAttempts <= 22, "\(status.connectAttempts)")
            #expect(status.sessions == 1)
            #expect(status.tokenRefusals == 0, "the refusal came at the upgrade, not from the token endpoint")
            try await connector.stop()
            await harness.finish()
        }
    }
}
