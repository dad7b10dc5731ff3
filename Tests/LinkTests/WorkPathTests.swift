import CloudConnector
import ConnectorCore
import Executors
import Foundation
import LocalAPI
import OutboxStore
import ReferenceCloud
import ServiceLifecycle
import Testing
import WebSocketTransport

extension LinkSuites {
    /// The work paths WorkTests only touches in passing: what a chain hands from step to step and
    /// how it fails, the concurrency limit's queue, a cancel that kills the handler's whole process
    /// group, and a Local-Core usage report through the local API to the cloud.
    @Suite("The work: chains, the concurrency limit, a killing cancel, /v1/usage to the cloud", .timeLimit(.minutes(3)))
    struct WorkPathTests {
        @Test("a 3-step chain hands each step's result to the next as inputs.previous and completes with the last one")
        func chainPassesResults() async throws {
            let harness = try await LinkHarness()
            let handlers = harness.directory + "/handlers"
            let seen = harness.directory + "/seen"
            try FileManager.default.createDirectory(atPath: seen, withIntermediateDirectories: true)
            // Each step records the job line it got on stdin and returns that line as its result.
            for name in ["c1", "c2", "c3"] {
                try WorkHarness.handler(handlers, "tools", name, """
                    line=$(cat)
                    printf '%s\\n' "$line" > \(seen)/\(name)
                    printf '{"type":"result","result":%s}\\n' "$line"
                    """)
            }
            let connector = WorkHarness.start(await harness.settings(), store: harness.store, handlers: handlers)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let cloud = harness.cloud
            try await cloud.send(WorkHarness.request("r-chain", [
                "job_type": "chain", "inputs": ["topic": "sales"],
                "steps": [
                    ["job_type": "tool", "tool_name": "c1"], ["job_type": "tool", "tool_name": "c2"],
                    ["job_type": "tool", "tool_name": "c3"],
                ],
            ]), to: testDevice)
            // The usage report is the seq after the terminal event: one frame later, so wait for both.
            try await eventually("the chain's terminal and its usage reached the cloud") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return !view.terminals("r-chain").isEmpty && !view.usage("r-chain").isEmpty
            }
            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            let step1 = try stdinLine(seen + "/c1")
            let step2 = try stdinLine(seen + "/c2")
            let step3 = try stdinLine(seen + "/c3")

            #expect(step1["name"] == "c1")
            #expect(step2["name"] == "c2")
            #expect(step3["name"] == "c3")
            #expect(step1["inputs"]?["previous"] == nil, "the first step has no previous result")
            #expect(step1["inputs"]?["topic"] == "sales", "steps without inputs get the request's")
            #expect(step2["inputs"]?["previous"] == step1, "step 2 got step 1's result")
            #expect(step2["inputs"]?["topic"] == "sales")
            #expect(step3["inputs"]?["previous"] == step2, "step 3 got step 2's result")
            #expect(step3["inputs"]?["previous"]?["inputs"]?["previous"] == step1)

            #expect(view.terminals("r-chain").count == 1, "\(view.eventTypes("r-chain"))")
            let terminal = try #require(view.terminals("r-chain").first)
            #expect(terminal["event_type"] == "completed")
            #expect(terminal["data"]?["result"] == step3, "the chain's result is its last step's")
            #expect(view.eventTypes("r-chain").first == "accepted")
            #expect(view.usage("r-chain").count == 1)
            try await connector.stop()
            await harness.finish()
        }

        @Test("a chain whose 2nd step fails ends failed once, naming step 2; step 3 never runs; its usage is still reported")
        func chainFailsAtSecondStep() async throws {
            let harness = try await LinkHarness()
            let handlers = harness.directory + "/handlers"
            let marker = harness.directory + "/f3-ran"
            try WorkHarness.handler(handlers, "tools", "f1", """
                cat > /dev/null
                echo '{"type":"usage","token_usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}'
                echo '{"type":"result","result":{"rows":3}}'
                """)
            try WorkHarness.handler(handlers, "tools", "f2", """
                cat > /dev/null
                echo '{"type":"error","code":"no_data","message":"the source was empty"}'
                """)
            try WorkHarness.handler(handlers, "tools", "f3", """
                cat > /dev/null
                echo "$CLOUD_CONNECTOR_REQUEST_ID" >> \(marker)
                echo '{"type":"result","result":{}}'
                """)
            let connector = WorkHarness.start(await harness.settings(), store: harness.store, handlers: handlers)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let cloud = harness.cloud
            try await cloud.send(WorkHarness.request("r-fail", ["job_type": "chain", "steps": [
                ["job_type": "tool", "tool_name": "f1"], ["job_type": "tool", "tool_name": "f2"],
                ["job_type": "tool", "tool_name": "f3"],
            ]]), to: testDevice)
            try await eventually("the failed chain and its usage reached the cloud") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return !view.terminals("r-fail").isEmpty && !view.usage("r-fail").isEmpty
            }
            #expect(!FileManager.default.fileExists(atPath: marker), "step 3 ran after step 2 failed")

            // The same third step in a chain that does not fail does run: the marker's absence above
            // is the chain stopping, not a handler that never writes it.
            try await cloud.send(WorkHarness.request("r-ok", ["job_type": "chain", "steps": [
                ["job_type": "tool", "tool_name": "f1"], ["job_type": "tool", "tool_name": "f3"],
            ]]), to: testDevice)
            try await eventually("the second chain ended on the cloud") {
                !CloudView(messages: try await cloud.messages(deviceID: testDevice)).terminals("r-ok").isEmpty
            }
            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            #expect(view.terminals("r-fail").count == 1, "\(view.eventTypes("r-fail"))")
            let failed = try #require(view.terminals("r-fail").first)
            #expect(failed["event_type"] == "failed")
            #expect(failed["data"]?["error"]?["code"] == "no_data")
            #expect(failed["data"]?["error"]?["message"] == "step 2 of 3 (f2): the source was empty")
            #expect(failed["data"]?["error"]?["retryable"] == .bool(false))
            #expect(!view.eventTypes("r-fail").contains("completed"))
            #expect(view.usage("r-fail").count == 1)
            #expect(view.usage("r-fail").first?["metrics"]?["token_usage"]?["total_tokens"]?.numberValue?.literal == "7",
                    "the usage of the step that ran before the failure is reported")
            #expect(view.terminals("r-ok").first?["event_type"] == "completed")
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "r-ok\n", "f3 ran for r-ok only")
            try await connector.stop()
            await harness.finish()
        }

        @Test("with concurrencyLimit 1, three requests run one at a time, in the order they were sent, and all complete")
        func concurrencyLimitQueues() async throws {
            let harness = try await LinkHarness()
            let handlers = harness.directory + "/handlers"
            let log = harness.directory + "/runs.log"
            try WorkHarness.handler(handlers, "tools", "nap", """
                cat > /dev/null
                echo "$CLOUD_CONNECTOR_REQUEST_ID start $(date +%s%N)" >> \(log)
                sleep 0.4
                echo "$CLOUD_CONNECTOR_REQUEST_ID end $(date +%s%N)" >> \(log)
                echo '{"type":"result","result":{}}'
                """)
            let connector = WorkHarness.start(await harness.settings(), store: harness.store, handlers: handlers, concurrency: 1)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let cloud = harness.cloud
            let ids = ["r-q1", "r-q2", "r-q3"]
            for id in ids { try await cloud.send(WorkHarness.request(id, ["job_type": "tool", "tool_name": "nap"]), to: testDevice) }
            try await eventually("all three ended on the cloud, with their usage (the seq after each terminal)") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return ids.allSatisfy { !view.terminals($0).isEmpty && !view.usage($0).isEmpty }
            }

            let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
            #expect(runs.map { $0.prefix(2).joined(separator: " ") } == ["r-q1 start", "r-q1 end", "r-q2 start", "r-q2 end", "r-q3 start", "r-q3 end"],
                    "runs overlap or started out of order: \(runs)")
            let times = runs.compactMap { $0.count == 3 ? Int64($0[2]) : nil }
            #expect(times.count == 6 && times == times.sorted(), "each run starts after the previous one ended: \(times)")

            // The outbox agrees: each request's `started` comes after the previous one's terminal.
            var filter = InspectFilter()
            filter.type = .executionEvent
            filter.limit = 1_000
            let events = try harness.store.makeReader().inspect(filter)
            func seq(_ id: String, _ type: ExecutionEventType) -> Int64? {
                events.first { $0.requestID == id && $0.eventType == type }?.seq
            }
            for (earlier, later) in zip(ids, ids.dropFirst()) {
                let ended = try #require(seq(earlier, .completed))
                let started = try #require(seq(later, .started))
                #expect(ended < started, "\(later) started before \(earlier) ended")
            }
            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            for id in ids {
                #expect(view.eventTypes(id) == ["accepted", "started", "completed"], "\(id)")
                #expect(view.usage(id).count == 1, "\(id)")
            }
            try await connector.stop()
            await harness.finish()
        }

        @Test("execution_cancel kills the handler and the child it started; the execution ends cancelled with its usage")
        func cancelKillsTheProcessGroup() async throws {
            let harness = try await LinkHarness()
            let handlers = harness.directory + "/handlers"
            let pids = harness.directory + "/pids"
            try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
            try WorkHarness.handler(handlers, "tools", "forever", """
                cat > /dev/null
                echo $$ > \(pids)/handler.tmp && mv \(pids)/handler.tmp \(pids)/handler
                sleep 300 &
                echo $! > \(pids)/child.tmp && mv \(pids)/child.tmp \(pids)/child
                wait
                """)
            let connector = WorkHarness.start(await harness.settings(), store: harness.store, handlers: handlers)
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let cloud = harness.cloud
            try await cloud.send(WorkHarness.request("r-kill", ["job_type": "tool", "tool_name": "forever"]), to: testDevice)

            // `started` is appended just before the handler is launched; the PID files say it runs.
            try await eventually("r-kill started in the outbox") {
                var filter = InspectFilter()
                filter.requestID = "r-kill"
                filter.type = .executionEvent
                return try harness.store.makeReader().inspect(filter).contains { $0.eventType == .started }
            }
            try await eventually("the handler and its child wrote their PIDs") {
                pidFile(pids + "/handler") != nil && pidFile(pids + "/child") != nil
            }
            let handlerPID = try #require(pidFile(pids + "/handler"))
            let childPID = try #require(pidFile(pids + "/child"))
            #expect(isRunning(handlerPID) && isRunning(childPID), "both run before the cancel")

            try await cloud.send(["type": "execution_cancel", "payload": ["request_id": "r-kill", "reason": "user"]], to: testDevice)
            try await eventually("r-kill ended on the cloud with its usage") {
                let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
                return !view.terminals("r-kill").isEmpty && !view.usage("r-kill").isEmpty
            }
            // The handler is the connector's own child, which must reap it: strictly no such process.
            // Its orphaned child is reaped by init, which a container may not run: a zombie is dead too.
            try await eventually(timeout: .seconds(30), "the handler (\(handlerPID)) and its child (\(childPID)) are gone") {
                noSuchProcess(handlerPID) && (noSuchProcess(childPID) || isZombie(childPID))
            }
            let view = CloudView(messages: try await cloud.messages(deviceID: testDevice))
            #expect(view.eventTypes("r-kill") == ["accepted", "started", "cancelled"])
            #expect(view.terminals("r-kill").first?["data"]?["reason"] == "user")
            #expect(view.usage("r-kill").count == 1)
            #expect(view.usage("r-kill").first?["metrics"]?["duration_ms"]?.numberValue != nil)
            try await connector.stop()
            await harness.finish()
        }

        @Test("POST /v1/usage on a connected device: 201, the cloud stores and acks it; a retry gets 200 and the cloud still holds one")
        func localUsageReachesTheCloud() async throws {
            let harness = try await LinkHarness()
            let logger = testLogger("local-api")
            let token = try LocalToken.loadOrCreate(directory: harness.directory + "/device")
            let api = try await LocalAPIServer.start(
                configuration: LocalAPIConfiguration(port: 0), store: harness.store, token: token,
                metrics: PrometheusMetricsFactory(logger: logger), logger: logger)
            let transport = TransportHandler(
                store: harness.store, executor: CommandExecutor(handlersDirectory: harness.directory + "/handlers"),
                deviceID: testDevice, tenantID: testTenant, logger: logger)
            let (inbound, sink) = AsyncStream.makeStream(of: InboundFrame.self)
            let link = ConnectorService(settings: await harness.settings(), store: harness.store, logger: logger) { sink.yield($0) }
            let work = ExecutionService(transport: transport, inbound: inbound, logger: logger)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: link), .init(service: work), .init(service: api)], logger: logger))
            let connector = RunningConnector(group: group, task: Task { try await group.run() })
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            let client = try WebSocketEventLoop(name: "test-local-client", logger: logger)
            let post: @Sendable (JSONValue) async throws -> (status: Int, body: JSONValue?) = { payload in
                var headers: HTTPHeaders = [:]
                headers.set(name: "Authorization", value: token.authorizationHeaderValue)
                headers.set(name: "Content-Type", value: "application/json")
                let response = try await client.send(HTTPClientRequest(
                    method: .post, url: "http://127.0.0.1:\(api.port)/v1/usage", headers: headers, body: JSON.encode(payload),
                    timeout: .seconds(10)))
                return (response.status, try? JSON.parse(response.body))
            }
            let cloud = harness.cloud
            func cloudReports(_ reportID: String) async throws -> [CloudMessage] {
                try await cloud.messages(deviceID: testDevice).filter {
                    $0.type == "usage_report" && (try? JSON.parse($0.payload))?["report_id"]?.stringValue == reportID
                }
            }

            let report = localUsage(reportID: "rep-local-1", tokens: 300)
            let created = try await post(report)
            #expect(created.status == 201, "\(String(describing: created.body))")
            let seq = try #require(created.body?["seq"]?.numberValue?.int64)
            try await eventually("the cloud holds the report and the device recorded its ack") {
                let held = try await cloudReports("rep-local-1")
                let acked = try harness.backlog().ackedSeq
                return !held.isEmpty && acked >= seq
            }
            let held = try await cloudReports("rep-local-1")
            #expect(held.count == 1)
            #expect(held.first?.seq == seq, "the cloud holds it under the seq the device assigned")
            #expect(try held.first.map { try JSON.parse($0.payload) } == report, "the cloud holds the payload as posted")

            let retry = try await post(report)
            #expect(retry.status == 200, "\(String(describing: retry.body))")
            #expect(retry.body?["duplicate"] == .bool(true))
            #expect(retry.body?["seq"]?.numberValue?.int64 == seq)

            // A later report is a barrier: the device sends in seq order, so once the cloud acked
            // this one, anything the retry had appended would have reached the cloud before it.
            let later = try await post(localUsage(reportID: "rep-local-2", tokens: 50))
            #expect(later.status == 201)
            let laterSeq = try #require(later.body?["seq"]?.numberValue?.int64)
            try await eventually("the cloud acked the later report") {
                let held = try await cloudReports("rep-local-2")
                let acked = try harness.backlog().ackedSeq
                return !held.isEmpty && acked >= laterSeq
            }
            #expect(try await cloudReports("rep-local-1").count == 1, "the retry was not stored twice")
            #expect(laterSeq == seq + 1, "the retry took no seq")
            let totals = try await cloud.usage(deviceID: testDevice)
            #expect(totals.reports == 2)
            #expect(totals.totalTokens == 350)
            #expect(try await cloud.counts(deviceID: testDevice).duplicates == 0)

            await client.shutdown(gracePeriod: .zero)
            try await connector.stop()
            await harness.finish()
        }
    }
}

/// The job line a step handler recorded.
private func stdinLine(_ path: String) throws -> JSONValue {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try JSON.parse(Array(text.utf8))
}

private func pidFile(_ path: String) -> pid_t? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
}

private func isRunning(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

private func noSuchProcess(_ pid: pid_t) -> Bool { kill(pid, 0) != 0 && errno == ESRCH }

/// Dead, waiting for its parent to collect its status.
private func isZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

/// A usage_report as Local-Core posts it to `/v1/usage` (PROTOCOL §4).
private func localUsage(reportID: String, tokens: Int64) -> JSONValue {
    [
        "report_id": .string(reportID), "request_id": "req-local", "executor_device_id": .string(testDevice),
        "tenant_id": .string(testTenant), "workspace_id": "ws-1",
        "metrics": [
            "duration_ms": 900,
            "token_usage": [
                "prompt_tokens": .number(JSONNumber(tokens - 10)), "completion_tokens": 10, "total_tokens": .number(JSONNumber(tokens)),
            ],
            "model": "m1",
        ],
        "timestamp": "2026-11-24T10:00:05.000Z",
    ]
}
