import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore
import ReferenceCloud
import Testing

extension LinkSuites {
    @Suite("The work: execution requests end to end (R11–R13)", .timeLimit(.minutes(3)))
    struct WorkTests {
        @Test("playbook, tool, chain, timeout, cancel, malformed, other tenant, duplicate: one terminal each, the right usage")
        func everyKindOfRequest() async throws {
            let harness = try await LinkHarness()
            let handlers = harness.directory + "/handlers"
            let runs = harness.directory + "/runs"
            try WorkHarness.handler(handlers, "playbooks", "weekly", """
                cat > /dev/null
                echo run >> \(runs)
                echo '{"type":"progress","progress":0.5,"message":"half way"}'
                echo '{"type":"usage","token_usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120},"cost_estimate":{"amount":0.0125,"currency":"USD"},"model":"m1"}'
                echo '{"type":"result","result":{"summary":"done"}}'
                """)
            try WorkHarness.handler(handlers, "tools", "echo", """
                cat > /dev/null
                echo '{"type":"usage","token_usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
                echo '{"type":"result","result":{"ok":true}}'
                """)
            try WorkHarness.handler(handlers, "tools", "slow", "cat > /dev/null\nsleep 30")
            let connector = WorkHarness.start(await harness.settings(), store: harness.store, handlers: handlers)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let cloud = harness.cloud
            let send: @Sendable (String, JSONObject) async throws -> Void = { id, fields in
                try await cloud.send(WorkHarness.request(id, fields), to: testDevice)
            }
            try await send("r-playbook", ["job_type": "playbook", "playbook_code": "weekly", "workspace_id": "ws-1"])
            try await send("r-tool", ["job_type": "tool", "tool_name": "echo"])
            try await send("r-chain", ["job_type": "chain", "steps": [
                ["job_type": "tool", "tool_name": "echo"], ["job_type": "tool", "tool_name": "echo"],
                ["job_type": "playbook", "playbook_code": "weekly"],
            ]])
            try await send("r-timeout", ["job_type": "tool", "tool_name": "slow", "timeout_ms": 400])
            try await send("r-cancel", ["job_type": "tool", "tool_name": "slow"])
            try await send("r-malformed", ["job_type": "tool"])
            try await send("r-tenant", ["job_type": "tool", "tool_name": "echo", "tenant_id": "someone-else"])
            try await send("r-playbook", ["job_type": "playbook", "playbook_code": "weekly", "workspace_id": "ws-1"])
            // Cancel what is really running: wait for its `started` to reach the cloud first.
            try await eventually("r-cancel started") {
                CloudView(messages: try await cloud.messages(deviceID: testDevice)).eventTypes("r-cancel").contains("started")
            }
            try await cloud.send(["type": "execution_cancel", "payload": ["request_id": "r-cancel", "reason": "user"]], to: testDevice)

            let ids = ["r-playbook", "r-tool", "r-chain", "r-timeout", "r-cancel", "r-malformed", "r-tenant"]
            try await eventually(timeout: .seconds(60), "every request ended on the cloud") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                let pending = try harness.backlog().pending
                return ids.allSatisfy { view.terminals($0).count >= 1 } && pending == 0
            }
            try await Task.sleep(for: .milliseconds(300))
            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            for id in ids { #expect(view.terminals(id).count == 1, "\(id): \(view.eventTypes(id))") }

            #expect(view.eventTypes("r-playbook") == ["accepted", "started", "progress", "completed"])
            #expect(view.terminals("r-playbook").first?["data"]?["result"]?["summary"] == "done")
            let usage = try #require(view.usage("r-playbook").first)
            #expect(view.usage("r-playbook").count == 1)
            #expect(usage["metrics"]?["token_usage"]?["total_tokens"]?.numberValue?.literal == "120")
            #expect(usage["metrics"]?["cost_estimate"]?["amount"]?.numberValue?.literal == "0.0125")
            #expect(usage["metrics"]?["model"] == "m1")
            #expect(usage["workspace_id"] == "ws-1")
            #expect(try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").count == 2,
                    "the playbook ran once for r-playbook (the duplicate did not run) and once in the chain")

            #expect(view.terminals("r-chain").first?["event_type"] == "completed")
            #expect(view.usage("r-chain").first?["metrics"]?["token_usage"]?["total_tokens"]?.numberValue?.literal == "124")
            #expect(view.terminals("r-timeout").first?["data"]?["error"]?["code"] == "timeout")
            #expect(view.usage("r-timeout").count == 1)
            #expect(view.terminals("r-cancel").first?["event_type"] == "cancelled")
            #expect(view.terminals("r-cancel").first?["data"]?["reason"] == "user")
            #expect(view.terminals("r-malformed").first?["data"]?["error"]?["code"] == "invalid_request")
            #expect(view.eventTypes("r-malformed") == ["failed"], "a refused request is never accepted")
            #expect(view.usage("r-malformed").isEmpty)
            #expect(view.terminals("r-tenant").first?["data"]?["error"]?["code"] == "tenant_mismatch")
            #expect(view.eventTypes("r-tenant") == ["failed"], "another tenant's request is never accepted (R12)")

            // R13: every accepted event names its job type.
            for (id, jobType) in [("r-playbook", "playbook"), ("r-tool", "tool"), ("r-chain", "chain"), ("r-cancel", "tool")] {
                let accepted = view.events(id).first { $0["event_type"] == "accepted" }
                #expect(accepted?["data"]?["job_type"]?.stringValue == jobType, "\(id)")
            }
            // A usage report for every execution that ran, also the cancelled and timed-out ones.
            #expect(view.usage("r-tool").first?["metrics"]?["token_usage"]?["total_tokens"]?.numberValue?.literal == "2")
            #expect(view.usage("r-cancel").count == 1)
            #expect(view.usage("r-cancel").first?["metrics"]?["duration_ms"]?.numberValue != nil)

            // The device's own projections agree with what the cloud holds: each request's timeline
            // is the cloud's events, seq for seq and type for type, ending as the cloud's terminal
            // event says; and the same tokens and cost.
            let reader = try harness.store.makeReader()
            for id in ids {
                let timeline = try #require(try reader.timeline(requestID: id), "\(id)")
                #expect(timeline.summary.status.rawValue == view.terminals(id).first?["event_type"]?.stringValue, "\(id)")
                let device = timeline.events.map { "\($0.seq) \($0.eventType.rawValue)" }
                let cloudEvents = view.eventSeqs(id).map { "\($0.seq) \($0.eventType)" }
                #expect(device == cloudEvents, "\(id)")
                #expect(timeline.events.allSatisfy { $0.acked }, "\(id)")
            }
            let totals = try reader.meteringTotals(fromDay: "2000-01-01", toDay: "2100-01-01", groupBy: [])
            let deviceTokens = totals.reduce(0) { $0 + $1.totalTokens }
            #expect(deviceTokens == 120 + 2 + 124)
            let cloudUsage = try await cloud.usage(deviceID: testDevice)
            #expect(cloudUsage.totalTokens == deviceTokens)
            #expect(cloudUsage.reports == 5)
            // 0.0125 USD for the playbook, and again for the playbook step of the chain.
            #expect(totals.reduce(0) { $0 + $1.costMicros } == 25_000)
            #expect(cloudUsage.costMicros == 25_000)
            try await connector.stop()
            await harness.finish()
        }

        @Test("SIGKILL mid-execution, then restart: that execution ends interrupted, once; nothing else repeats")
        func killedMidExecution() async throws {
            let harness = try await LinkHarness()
            harness.store.close()
            let data = harness.directory + "/device"
            // It reports usage and progress, then hangs: the kill must not lose what it reported.
            try WorkHarness.handler(data + "/handlers", "tools", "slow", """
                cat > /dev/null
                echo '{"type":"usage","token_usage":{"prompt_tokens":70,"completion_tokens":7,"total_tokens":77},"cost_estimate":{"amount":0.007,"currency":"USD"},"model":"m-long"}'
                sleep 1
                echo '{"type":"progress","progress":0.5,"message":"half way"}'
                sleep 60
                """)
            try WorkHarness.handler(data + "/handlers", "tools", "echo", "cat > /dev/null\necho '{\"type\":\"result\",\"result\":{}}'")
            let env = await ProcessTests.environment(harness)
            let first = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/first.log")
            let cloud = harness.cloud
            // Sent once the session is live (the cloud registers the device at connect, before its
            // connect_ack is even written), retried until the cloud has a session to send on.
            for id in ["r-done", "r-long"] {
                let tool = id == "r-done" ? "echo" : "slow"
                try await eventually("\(id) sent") {
                    (try? await cloud.send(WorkHarness.request(id, ["job_type": "tool", "tool_name": .string(tool)]), to: testDevice)) != nil
                }
            }
            // r-done must have finished before the kill, or the restart rightly ends it interrupted.
            try await eventually("r-done ended and the long one reported progress, on the cloud") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return !view.terminals("r-done").isEmpty && view.eventTypes("r-long").contains("progress")
            }
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            // A downtime longer than the execution ran, so a duration that counts it stands out.
            try await Task.sleep(for: .seconds(6))

            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            try await eventually("the interrupted execution and its usage reached the cloud") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return !view.terminals("r-long").isEmpty && !view.usage("r-long").isEmpty
            }
            // A redelivery of the finished request after the restart is recognised (R11).
            try await cloud.send(WorkHarness.request("r-done", ["job_type": "tool", "tool_name": "echo"]), to: testDevice)
            try await Task.sleep(for: .milliseconds(500))
            try await eventually("everything the second run appended is acked") { try harness.backlog().pending == 0 }
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.log)")

            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            let long = try #require(view.terminals("r-long").first)
            #expect(view.terminals("r-long").count == 1)
            #expect(long["data"]?["error"]?["code"] == "interrupted")
            #expect(long["data"]?["error"]?["retryable"] == .bool(true))
            #expect(view.usage("r-long").count == 1)
            // Billed for what it used before the kill, not for nothing, and not for the downtime.
            let metrics = try #require(view.usage("r-long").first?["metrics"])
            #expect(metrics["token_usage"]?["total_tokens"] == 77)
            #expect(metrics["cost_estimate"]?["amount"]?.numberValue?.literal == "0.007")
            #expect(metrics["model"] == "m-long")
            let duration = try #require(metrics["duration_ms"]?.numberValue?.int64)
            #expect(duration >= 900, "from started to the progress a second later: \(duration) ms")
            #expect(duration < 5_000, "the 6 s downtime is not usage: \(duration) ms")
            #expect(view.eventTypes("r-done") == ["accepted", "started", "completed"], "nothing repeated")
            #expect(view.usage("r-done").count == 1)
            #expect(try await cloud.counts(deviceID: testDevice).duplicates == 0)
            await harness.finish()
        }
    }
}

