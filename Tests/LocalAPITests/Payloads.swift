import ConnectorCore
import Foundation
import OutboxStore

let testIdentity = StoreIdentity(deviceID: "dev-local-1", tenantID: "tenant-a")

/// Minimal valid PROTOCOL §4 payloads, written out by hand.
enum Payloads {
    static func usage(reportID: String = UUID().uuidString.lowercased(), requestID: String = "req-1", tokens: Int64 = 100)
        -> JSONValue
    {
        [
            "report_id": .string(reportID), "request_id": .string(requestID),
            "executor_device_id": .string(testIdentity.deviceID), "tenant_id": .string(testIdentity.tenantID),
            "workspace_id": "ws-1",
            "metrics": [
                "duration_ms": 1200,
                "token_usage": ["prompt_tokens": .number(JSONNumber(tokens - 20)), "completion_tokens": 20,
                                "total_tokens": .number(JSONNumber(tokens))],
                "cost_estimate": ["amount": .number(JSONNumber(literal: "0.0125")!), "currency": "USD"],
                "model": "gpt-4o-mini",
            ],
            "timestamp": "2026-11-24T10:00:05.000Z",
        ]
    }

    static func event(eventID: String = UUID().uuidString.lowercased(), requestID: String = "req-1",
                      type: String = "started", data: JSONValue = [:]) -> JSONValue {
        [
            "event_id": .string(eventID), "request_id": .string(requestID), "event_type": .string(type),
            "data": data, "timestamp": "2026-11-24T10:00:00.000Z",
        ]
    }

    static func reply(requestID: String = "msg-1", text: String = "hello") -> JSONValue {
        [
            "request_id": .string(requestID), "channel": "line", "user_id": "U1234", "reply_token": "reply-token-1",
            "channel_config_id": "cfg-1", "device_id": .string(testIdentity.deviceID),
            "result": ["status": "completed", "reply_text": .string(text)], "timestamp": "2026-11-24T10:00:06.000Z",
        ]
    }

    /// `payload` with one member replaced (or removed, with nil).
    static func with(_ payload: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
        var object = payload.objectValue!
        object[key] = value
        return .object(object)
    }
}
