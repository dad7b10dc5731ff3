import Foundation
import ReferenceCloud
import SQLiteDB
import Testing

extension LinkSuites {
    @Suite("Secrets stay secret", .timeLimit(.minutes(2)))
    struct SecretTests {
        @Test("no device token, API key, reply token or local token in the trace log or CLI output; secret files 0600; local API on loopback")
        func tokenAndKeyNeverPrinted() async throws {
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
            let localToken = try String(contentsOfFile: harness.directory + "/device/local_token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(localToken.count >= 20)
            for output in outputs {
                #expect(!output.contains(apiKey), "the API key leaked:\n\(output)")
                for token in tokens { #expect(!output.contains(token), "a device token leaked:\n\(output)") }
                #expect(!output.contains(replyToken), "a reply token leaked:\n\(output)")
                #expect(!output.contains(localToken), "the local token leaked:\n\(output)")
            }
            // The files that hold secrets or billing data are the owner's alone.
            for file in ["outbox.sqlite", "local_token"] {
                let mode = try FileManager.default.attributesOfItem(atPath: harness.directory + "/device/" + file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
            }
            // The local API listens on loopback only by default.
            #expect(process.log.contains("url=http://127.0.0.1:"), "\(process.log)")
            await harness.finish()
        }
    }
}
