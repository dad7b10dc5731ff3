import Foundation
import ReferenceCloud
import SQLiteDB
import Testing

extension LinkSuites {
    @Suite("Secrets stay secret", .timeLimit(.minutes(2)))
    struct SecretTests {
        @Test("neither the device token nor the API key appears in the service's trace log or in status/device output")
        func tokenAndKeyNeverPrinted() async throws {
            let apiKey = "api-key-3f9c2d71e8b4"
            let harness = try await LinkHarness(apiKeys: [apiKey])
            try await harness.append(count: 20)
            harness.store.close()
            var env = await ProcessTests.environment(harness)
            env["CLOUD_API_KEY"] = apiKey
            env["LOG_LEVEL"] = "trace"
            let process = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("delivery") { try reader.backlog().ackedSeq == 20 }
            let status = try ConnectorProcess(["status"], environment: env, logPath: harness.directory + "/status.log")
            let statusJSON = try ConnectorProcess(["status", "--json"], environment: env, logPath: harness.directory + "/status-json.log")
            let device = try ConnectorProcess(["device", "--json"], environment: env, logPath: harness.directory + "/device.log")
            for command in [status, statusJSON, device] { #expect(try await command.waitForExit() == 0, "\(command.log)") }
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)

            let cloudDB = try Database(path: harness.cloud.databasePath)
            let tokens = try cloudDB.all("SELECT token FROM tokens").compactMap { $0[0].text }
            #expect(!tokens.isEmpty, "the cloud issued a token")
            let outputs = [process.log, status.log, statusJSON.log, device.log]
            #expect(process.log.contains("trace"), "the log is at trace level, so it shows everything it can")
            for output in outputs {
                #expect(!output.contains(apiKey), "the API key leaked:\n\(output)")
                for token in tokens { #expect(!output.contains(token), "a device token leaked:\n\(output)") }
            }
            await harness.finish()
        }
    }
}
