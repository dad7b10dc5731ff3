import ConnectorCore
import Foundation
import Synchronization
import WebSocketTransport

/// A usage report as Local-Core would POST it; kept whole so a retry sends the same bytes.
struct UsageReport: Sendable {
    let reportID: String
    let body: [UInt8]
}

/// Where the load goes in this phase (the connector's local API moves with each restart).
struct LoadTargets: Sendable {
    let localAPI: String
    let token: String
    let cloudAPI: String
    let cli: ConnectorCLI
}

final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func stop() { flag.withLock { $0 = true } }
    var isStopped: Bool { flag.withLock { $0 } }
}

/// Several concurrent sources, as on a device: two Local-Core-like posters of usage reports to the
/// local API (a 201 or 200 means the append returned, i.e. it is durable), an `outbox append`
/// child process at a time, and the cloud sending execution_requests that the connector runs
/// through the shell handlers (accepted, started, progress, completed or failed, a usage report).
/// Runs until `stop`; a request in flight then finishes (or fails, if its process was killed).
struct Load: Sendable {
    let http: HTTP
    let ledger: Ledger
    let targets: LoadTargets
    let cycle: Int
    let stop: StopFlag
    let random: SplitMix64
    /// Numbers for report, event and request ids, unique across the whole run.
    let names: Counter

    func run() async {
        await withDiscardingTaskGroup { group in
            for worker in 0..<2 { group.addTask { await usagePoster(worker) } }
            group.addTask { await appender() }
            group.addTask { await requester() }
        }
    }

    private func usagePoster(_ worker: Int) async {
        var random = random.derived(UInt64(worker + 1))
        let producer = "local-api-\(worker)"
        while !stop.isStopped {
            var fresh = false
            let report: UsageReport
            if let again = await ledger.takeUnanswered() {
                report = again
                await ledger.count { $0.usageRetries += 1 }
            } else {
                report = Self.usageReport(names.next())
                fresh = true
            }
            // Every fifth report is sent twice, as by a caller that lost the first answer: the
            // second must be recognised (200, the same seq and id), never stored again.
            if await post(report, producer: producer), fresh, random.next() % 5 == 0 {
                await ledger.count { $0.usageRetries += 1 }
                _ = await post(report, producer: producer)
            }
            try? await Task.sleep(for: random.milliseconds(5...40))
        }
    }

    /// True when the local API answered 201 or 200 (the append returned).
    private func post(_ report: UsageReport, producer: String) async -> Bool {
        await ledger.count { $0.usagePosts += 1 }
        let response: HTTPClientResponse
        do {
            response = try await http.call(
                .post, targets.localAPI + "/v1/usage",
                headers: ["Authorization": "Bearer \(targets.token)", "Content-Type": "application/json"], body: report.body,
                timeout: .seconds(10))
        } catch {
            await ledger.unanswered(report)
            return false
        }
        switch response.status {
        case 200, 201:
            guard let answer = try? JSON.parse(response.body), let seq = answer["seq"]?.numberValue?.int64,
                let id = answer["id"]?.stringValue
            else {
                await ledger.problem("POST /v1/usage answered \(response.status) without seq and id: \(response.bodyText.prefix(200))")
                return false
            }
            await ledger.record(ReturnedAppend(
                seq: seq, id: id, key: report.reportID, source: .localAPI, producer: producer, cycle: cycle,
                duplicate: answer["duplicate"]?.boolValue == true))
            return true
        case 503:
            // Shutting down, or the outbox is full: not stored, so the caller tries again later.
            await ledger.unanswered(report)
            return false
        default:
            await ledger.problem("POST /v1/usage for \(report.reportID) answered \(response.status): \(response.bodyText.prefix(300))")
            return false
        }
    }

    private func appender() async {
        var random = random.derived(100)
        while !stop.isStopped {
            let number = names.next()
            let key = "cli-ev-\(number)"
            let payload: JSONValue = [
                "event_id": .string(key), "request_id": .string("cli-req-\(number)"), "event_type": "progress",
                "data": ["progress": .number(JSONNumber(literal: "0.5")!), "message": "from outbox append"],
                "timestamp": .string(RFC3339.format(milliseconds: Self.nowMS())),
            ]
            await ledger.count { $0.appendChildren += 1 }
            do {
                let outcome = try await targets.cli.run([
                    "outbox", "append", "--json", "--type", "execution_event",
                    "--payload", String(decoding: JSON.encode(payload), as: UTF8.self),
                ])
                if outcome.status == .exited(0) {
                    if let answer = try? JSON.parse(outcome.stdout), let seq = answer["seq"]?.numberValue?.int64,
                        let id = answer["id"]?.stringValue
                    {
                        await ledger.record(ReturnedAppend(
                            seq: seq, id: id, key: key, source: .outboxAppend, producer: "outbox-append", cycle: cycle,
                            duplicate: answer["duplicate"]?.boolValue == true))
                    } else {
                        await ledger.problem("outbox append exited 0 without seq and id: \(outcome.stdout.prefix(200))")
                    }
                } else {
                    // Nothing in these runs should make an append fail (the store is far from full, a
                    // busy writer is waited for): a failure is a finding, with what the command said.
                    await ledger.count { $0.appendChildFailures += 1 }
                    await ledger.problem("outbox append of \(key) failed (\(outcome.status)): \(outcome.stderr.prefix(300))")
                }
            } catch {
                await ledger.problem("cannot run outbox append: \(error)")
            }
            try? await Task.sleep(for: random.milliseconds(10...60))
        }
    }

    private func requester() async {
        var random = random.derived(200)
        while !stop.isStopped {
            let requestID = "exec-\(names.next())"
            let pause = JSONValue.string(String(format: "%.2f", Double(Int.random(in: 5...90, using: &random)) / 100))
            var payload: JSONObject = ["request_id": .string(requestID), "timeout_ms": 20_000]
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<11:
                payload["job_type"] = "tool"
                payload["tool_name"] = "work"
                payload["inputs"] = ["pause_s": pause]
            case 11..<14:
                payload["job_type"] = "playbook"
                payload["playbook_code"] = "flow"
                payload["inputs"] = ["pause_s": pause]
            case 14..<17:
                payload["job_type"] = "chain"
                payload["inputs"] = [:]
                payload["steps"] = [
                    ["job_type": "tool", "tool_name": "work", "inputs": ["pause_s": "0.05"]],
                    ["job_type": "playbook", "playbook_code": "flow", "inputs": ["pause_s": pause]],
                ]
            default:
                payload["job_type"] = "tool"
                payload["tool_name"] = "fail"
                payload["inputs"] = [:]
            }
            let frame: JSONValue = ["type": "execution_request", "payload": .object(payload)]
            do {
                let response = try await http.call(
                    .post, "\(targets.cloudAPI)/admin/devices/\(Device.id)/send", headers: ["Content-Type": "application/json"],
                    body: JSON.encode(frame), timeout: .seconds(10))
                switch response.status {
                case 200: await ledger.sent(requestID, cycle: cycle)
                case 409: await ledger.count { $0.requestsNotConnected += 1 }
                default: await ledger.problem("POST /admin/devices/…/send answered \(response.status): \(response.bodyText.prefix(300))")
                }
            } catch {
                await ledger.count { $0.requestsCloudDown += 1 }
            }
            try? await Task.sleep(for: random.milliseconds(60...300))
        }
    }

    static func usageReport(_ number: Int) -> UsageReport {
        let reportID = "rep-\(number)"
        let payload: JSONValue = [
            "report_id": .string(reportID), "request_id": .string("local-\(number)"),
            "executor_device_id": .string(Device.id), "tenant_id": .string(Device.tenant),
            "metrics": [
                "duration_ms": .number(JSONNumber(Int64(number % 997))),
                "token_usage": ["prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30],
                "model": "torture-local",
            ],
            "timestamp": .string(RFC3339.format(milliseconds: nowMS())),
        ]
        return UsageReport(reportID: reportID, body: JSON.encode(payload))
    }

    static func nowMS() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
