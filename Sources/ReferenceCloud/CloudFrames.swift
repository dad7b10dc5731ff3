import Foundation
internal import ConnectorCore

/// Builds the cloud's outgoing envelopes (PROTOCOL §2): every frame gets a fresh `id` and `ts`.
enum CloudFrames {
    static func envelope(type: String, payload: JSONValue) -> String {
        let frame: JSONValue = [
            "type": .string(type), "id": .string(UUID().uuidString.lowercased()),
            "ts": .string(RFC3339.format(milliseconds: nowMilliseconds())), "payload": payload,
        ]
        return text(frame)
    }

    static func error(code: String, message: String) -> String {
        envelope(type: "error", payload: ["code": .string(code), "message": .string(message)])
    }

    static func ack(seq: Int64) -> String {
        envelope(type: "ack", payload: ["seq": .number(JSONNumber(seq))])
    }

    /// Completes a caller's frame: keeps its `type` and `payload`, adds `id`/`ts` when missing.
    static func completing(_ frame: JSONValue) throws(ReferenceCloudError) -> String {
        guard var object = frame.objectValue else { throw .invalidFrame("not a JSON object") }
        guard object["type"]?.stringValue != nil else { throw .invalidFrame("missing type") }
        if object["id"] == nil { object["id"] = .string(UUID().uuidString.lowercased()) }
        if object["ts"] == nil { object["ts"] = .string(RFC3339.format(milliseconds: nowMilliseconds())) }
        if object["payload"] == nil { object["payload"] = .object(JSONObject()) }
        return text(.object(object))
    }

    static func text(_ value: JSONValue) -> String {
        String(decoding: JSON.encode(value), as: UTF8.self)
    }
}
