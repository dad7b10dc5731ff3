import ConnectorCore
import Foundation
import Logging
@_spi(Faults) @testable import OutboxStore
import Synchronization
import TrafficGenerator

/// A fresh directory under the system temp folder, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String = "outbox-test") {
        let template = NSTemporaryDirectory() + "/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        path = bytes.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A wall clock the test moves by hand.
final class ManualClock: WallClock {
    private let now: Mutex<Int64>

    init(_ start: Int64 = 1_795_000_000_000) { now = Mutex(start) }

    func nowMilliseconds() -> Int64 { now.withLock { $0 } }
    func advance(byMS delta: Int64) { now.withLock { $0 += delta } }
}

let testIdentity = StoreIdentity(deviceID: "dev-test-1", tenantID: "tenant-a")

func openStore(
    _ directory: TemporaryDirectory, faults: OutboxFaults = [], clock: (any WallClock)? = nil,
    configure: (inout OutboxOptions) -> Void = { _ in }
) throws -> OutboxStore {
    var options = OutboxOptions()
    options.faults = faults
    if let clock { options.clock = clock }
    configure(&options)
    var logger = Logger(label: "test.outbox")
    logger.logLevel = .error
    return try OutboxStore.open(directory: directory.path, identity: testIdentity, options: options, logger: logger)
}

func traffic(seed: UInt64 = 7) -> TrafficGenerator {
    TrafficGenerator(seed: seed, deviceID: testIdentity.deviceID, tenantID: testIdentity.tenantID)
}

/// Minimal valid payloads, written out by hand from PROTOCOL §4.
enum Drafts {
    static func event(_ requestID: String, _ type: String, eventID: String = UUID().uuidString.lowercased(),
                      data: JSONValue = [:], at: String = "2026-11-24T10:00:00.000Z") -> MessageDraft {
        MessageDraft(type: .executionEvent, payload: [
            "event_id": .string(eventID), "request_id": .string(requestID), "event_type": .string(type),
            "data": data, "timestamp": .string(at),
        ])
    }

    static func usage(_ requestID: String, reportID: String = UUID().uuidString.lowercased(), tokens: Int64 = 100,
                      cost: String = "0.0125", workspace: String? = "ws-1", model: String? = "gpt-4o-mini",
                      at: String = "2026-11-24T10:00:05.000Z", tenant: String = testIdentity.tenantID) -> MessageDraft {
        var metrics: JSONObject = [
            "duration_ms": 1200,
            "token_usage": ["prompt_tokens": .number(JSONNumber(tokens - 20)), "completion_tokens": 20,
                            "total_tokens": .number(JSONNumber(tokens))],
            "cost_estimate": ["amount": .number(JSONNumber(literal: cost)!), "currency": "USD"],
        ]
        if let model { metrics["model"] = .string(model) }
        var payload: JSONObject = [
            "report_id": .string(reportID), "request_id": .string(requestID),
            "executor_device_id": .string(testIdentity.deviceID), "tenant_id": .string(tenant),
            "metrics": .object(metrics), "timestamp": .string(at),
        ]
        if let workspace { payload["workspace_id"] = .string(workspace) }
        return MessageDraft(type: .usageReport, payload: .object(payload))
    }

    static func reply(_ requestID: String) -> MessageDraft {
        MessageDraft(type: .messagingReply, payload: [
            "request_id": .string(requestID), "channel": "line", "user_id": "U1234", "reply_token": "secret-reply-token",
            "channel_config_id": "cfg-1", "device_id": .string(testIdentity.deviceID),
            "result": ["status": "completed", "reply_text": "hello"], "timestamp": "2026-11-24T10:00:06.000Z",
        ])
    }
}
