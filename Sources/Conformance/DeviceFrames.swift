import Foundation
internal import ConnectorCore

/// The frames the kit sends as a device (PROTOCOL §2–§4). Outbox payloads are valid by §4 (a test
/// runs them through the connector's own validators), so a cloud that validates payloads has no
/// reason to refuse them.
enum DeviceFrames {
    /// One outbox message as sent: a resend is the same `text`, byte for byte (R2).
    struct Outbox: Sendable, Equatable {
        let seq: Int64
        let id: String
        let type: String
        let payload: JSONValue
        let ts: String

        var envelope: JSONValue {
            ["type": .string(type), "id": .string(id), "ts": .string(ts), "seq": .number(JSONNumber(seq)), "payload": payload]
        }

        var text: String { DeviceFrames.text(envelope) }

        /// The same message under another seq: same id, payload and ts (a device that moved it, R7).
        func moved(to seq: Int64) -> Outbox {
            Outbox(seq: seq, id: id, type: type, payload: payload, ts: ts)
        }
    }

    /// The usage numbers a report carries, to compare with what a cloud counted.
    struct Usage: Sendable, Equatable {
        var reports = 0
        var totalTokens: Int64 = 0
        var costMicros: Int64 = 0

        static func + (lhs: Usage, rhs: Usage) -> Usage {
            Usage(reports: lhs.reports + rhs.reports, totalTokens: lhs.totalTokens + rhs.totalTokens, costMicros: lhs.costMicros + rhs.costMicros)
        }
    }

    static func connect(deviceID: String, tenantID: String, token: String, protocolVersion: Int64 = 1, lastSeq: Int64 = 0) -> String {
        control("connect", [
            "device_id": .string(deviceID), "tenant_id": .string(tenantID), "token": .string(token),
            "protocol": .number(JSONNumber(protocolVersion)),
            "agent": ["name": "cloud-connector-conformance", "version": .string(Self.agentVersion)],
            "resume": ["last_seq": .number(JSONNumber(lastSeq))],
        ])
    }

    static let agentVersion = "1"

    static func heartbeat(lastSeq: Int64 = 0, pending: Int64 = 0) -> String {
        control("heartbeat", ["last_seq": .number(JSONNumber(lastSeq)), "pending": .number(JSONNumber(pending))])
    }

    static let pong = control("pong", .object(JSONObject()))

    /// A `progress` event of a request of its own.
    static func event(seq: Int64, message: String = "conformance check") -> Outbox {
        outbox(seq: seq, type: "execution_event", payload: [
            "event_id": .string(newID()), "request_id": .string("conformance-" + newID()), "event_type": "progress",
            "data": ["progress": .number(JSONNumber(literal: "0.5")!), "message": .string(message)],
            "timestamp": .string(now()),
        ])
    }

    /// A `usage_report` whose numbers depend on `seq`, so every report counts differently.
    static func usage(seq: Int64, deviceID: String, tenantID: String) -> Outbox {
        let total = 100 + seq
        return outbox(seq: seq, type: "usage_report", payload: [
            "report_id": .string(newID()), "request_id": .string("conformance-" + newID()),
            "executor_device_id": .string(deviceID), "tenant_id": .string(tenantID),
            "metrics": [
                "duration_ms": .number(JSONNumber(10 * seq)),
                "token_usage": [
                    "prompt_tokens": .number(JSONNumber(total - 1)), "completion_tokens": 1,
                    "total_tokens": .number(JSONNumber(total)),
                ],
                "cost_estimate": ["amount": .number(JSONNumber(literal: "0.00\(seq)5")!), "currency": "USD"],
                "model": "conformance",
            ],
            "timestamp": .string(now()),
        ])
    }

    static func usageNumbers(seq: Int64) -> Usage {
        Usage(reports: 1, totalTokens: 100 + seq, costMicros: JSONNumber(literal: "0.00\(seq)5")?.micros ?? 0)
    }

    /// A `progress` event padded with `data.message` so its encoded envelope is exactly `bytes` long.
    static func event(seq: Int64, encodedBytes bytes: Int) -> Outbox {
        let bare = event(seq: seq, message: "")
        let padding = max(0, bytes - bare.text.utf8.count)
        var payload = bare.payload.objectValue ?? JSONObject()
        payload["data"] = ["progress": .number(JSONNumber(literal: "0.5")!), "message": .string(String(repeating: "x", count: padding))]
        return Outbox(seq: seq, id: bare.id, type: bare.type, payload: .object(payload), ts: bare.ts)
    }

    /// An event with fields PROTOCOL does not define, in the envelope and the payload (§1: ignored).
    static func eventWithUnknownFields(seq: Int64) -> String {
        let event = event(seq: seq)
        guard var envelope = event.envelope.objectValue, var payload = event.payload.objectValue else { return event.text }
        payload["conformance_extra"] = ["nested": true]
        envelope["payload"] = .object(payload)
        envelope["conformance_extra"] = "ignored by a conforming cloud"
        return text(.object(envelope))
    }

    static func unknownType() -> String {
        control("conformance_future_type", ["note": "a type from a later protocol version"])
    }

    static func outbox(seq: Int64, type: String, payload: JSONValue) -> Outbox {
        Outbox(seq: seq, id: newID(), type: type, payload: payload, ts: now())
    }

    static func control(_ type: String, _ payload: JSONValue) -> String {
        text(["type": .string(type), "id": .string(newID()), "ts": .string(now()), "payload": payload])
    }

    static func text(_ value: JSONValue) -> String { String(decoding: JSON.encode(value), as: UTF8.self) }

    static func newID() -> String { UUID().uuidString.lowercased() }

    static func now() -> String { RFC3339.format(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
}
