import Foundation
import ReferenceCloud
import SQLiteDB
import Testing

extension LinkSuites {
    @Suite("Secrets stay secret", .timeLimit(.minutes(2)))
    struct SecretTests {
        /// A connector run at trace level with every kind of secret flowing: the device token, the API
        /// key, a messaging event's reply token, the local API's token. Returns what would be wrong.
        static func problems(faults: String? = nil) async throws -> [String] {
            let apiKey = "api-key-3f9c2d71e8b4"
            let replyToken = "line-reply-token-7d2e91"
            let harness = try await LinkHarness(apiKeys: [apiKey])
            try await harness.append(count: 20)
            harness.store.close()
            // Messages get an answer quickly: no agent connects, so the short wait ends in an error reply.
            try #"{"local_api": {"port": 0}, "messaging": {"default_workspace": "ws-1", "agent_wait_ms": 100}}"#
                .write(toFile: harness.directory + "/device/config.json", atomically: true, encoding: .utf8)
            var env = await ProcessTests.environment(harness)
            env["CLOUD_API_KEY"] = apiKey
            env["LOG_LEVEL"] = "trace"
            if let faults { env["CLOUD_CONNECTOR_TEST_FAULTS"] = faults }
            let process = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await eventually("delivery") { try reader.backlog().ackedSeq == 20 }
            try await harness.cloud.send(
                ["type": "messaging_event", "payload": [
                    "request_id": "msg-secret-1", "channel": "line", "event_type": "message", "user_id": "U1",
                    "reply_token": .string(replyToken), "message": ["type": "text", "text": "hello"],
                    "channel_config_id": "cfg-1", "timestamp": "2026-11-25T10:00:00.000Z",
                ]], to: testDevice)
            // The reply carries the token to the cloud (it needs it to answer the user): so it flowed.
            try await eventually("the reply reached the cloud") {
                try await harness.cloud.messages(deviceID: testDevice).contains { $0.payload.contains(replyToken) }
            }
            // Read while the service runs alone (its WAL and shared-memory files are there, and no other
            // command has opened the store yet).
            let data = harness.directory + "/device"
            var modes: [(file: String, mode: Int?)] = []
            // (The harness made the data directory itself; one the connector creates is 0700:
            // DeviceIdentityTests. One made looser by hand gets a warning at start and from doctor.)
            for file in ["outbox.sqlite", "outbox.sqlite-wal", "outbox.sqlite-shm", "local_token"] {
                modes.append((file, try FileManager.default.attributesOfItem(atPath: data + "/" + file)[.posixPermissions] as? Int))
            }
            let status = try ConnectorProcess(["status"], environment: env, logPath: harness.directory + "/status.log")
            let statusJSON = try ConnectorProcess(["status", "--json"], environment: env, logPath: harness.directory + "/status-json.log")
            let device = try ConnectorProcess(["device", "--json"], environment: env, logPath: harness.directory + "/device.log")
            for command in [status, statusJSON, device] { #expect(try await command.waitForExit() == 0, "\(command.log)") }
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)

            var problems: [String] = []
            let cloudDB = try Database(path: harness.cloud.databasePath)
            let tokens = try cloudDB.all("SELECT token FROM tokens").compactMap { $0[0].text }
            if tokens.isEmpty { problems.append("the cloud issued no token, so none could be looked for") }
            if !process.log.contains("trace") { problems.append("the log is not at trace level") }
            let localToken = try String(contentsOfFile: data + "/local_token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if localToken.count < 20 { problems.append("no local token") }
            for output in [process.log, status.log, statusJSON.log, device.log] {
                if output.contains(apiKey) { problems.append("the API key leaked:\n\(output)") }
                for token in tokens where output.contains(token) { problems.append("a device token leaked:\n\(output)") }
                if output.contains(replyToken) { problems.append("a reply token leaked:\n\(output)") }
                if output.contains(localToken) { problems.append("the local token leaked:\n\(output)") }
            }
            // The files that hold secrets or billing data are the owner's alone.
            for (file, mode) in modes where mode != 0o600 {
                problems.append("\(file) has mode \(String(mode ?? 0, radix: 8)), not 600")
            }
            // The local API listens on loopback only by default.
            if !process.log.contains("url=http://127.0.0.1:") { problems.append("the local API is not on loopback:\n\(process.log)") }
            await harness.finish()
            return problems
        }

        @Test("no device token, API key, reply token or local token in the trace log or CLI output; the store (with its WAL and shm) and the local token 0600; local API on loopback")
        func tokenAndKeyNeverPrinted() async throws {
            let problems = try await Self.problems()
            #expect(problems.isEmpty, "\(problems)")
        }

        /// `run` honours these faults in debug builds only, as the test suite builds it.
        @Test("negative control: a logged device token and a store left to the umask are both caught")
        func leaksAreCaught() async throws {
            let problems = try await Self.problems(faults: "logSecrets,looseFileModes")
            #expect(problems.contains { $0.hasPrefix("a device token leaked") }, "\(problems)")
            #expect(problems.contains { $0.hasPrefix("outbox.sqlite has mode 644") }, "\(problems.map { $0.prefix(200) })")
        }
    }
}
