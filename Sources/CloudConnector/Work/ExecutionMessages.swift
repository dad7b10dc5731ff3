import ConnectorCore
import Foundation
import OutboxStore

/// The outbound messages of an execution (PROTOCOL §4), built from what the handler knows. Every
/// event gets a fresh event_id; once appended it is stable on every resend (R2).
struct ExecutionMessages: Sendable {
    let deviceID: String
    let tenantID: String

    static func newID() -> String { UUID().uuidString.lowercased() }

    func event(_ requestID: String, _ type: ExecutionEventType, data: JSONObject, atMS: Int64) -> MessageDraft {
        MessageDraft(type: .executionEvent, payload: [
            "event_id": .string(Self.newID()), "request_id": .string(requestID), "event_type": .string(type.rawValue),
            "data": .object(data), "timestamp": .string(RFC3339.format(milliseconds: atMS)),
        ])
    }

    func accepted(_ request: ExecutionRequest, atMS: Int64) -> MessageDraft {
        event(request.requestID, .accepted, data: ["job_type": .string(request.jobType.rawValue)], atMS: atMS)
    }

    func progress(_ requestID: String, fraction: Double?, message: String?, atMS: Int64) -> MessageDraft {
        var data = JSONObject()
        if let fraction, let number = JSONNumber(literal: String(format: "%.4f", fraction)) { data["progress"] = .number(number) }
        if let message { data["message"] = .string(String(message.prefix(2_000))) }
        return event(requestID, .progress, data: data, atMS: atMS)
    }

    func terminal(_ requestID: String, _ terminal: ExecutionTerminal, atMS: Int64) -> MessageDraft {
        switch terminal {
        case .completed(let result):
            return event(requestID, .completed, data: ["result": result], atMS: atMS)
        case .failed(let code, let message, let retryable):
            return event(requestID, .failed, data: ["error": Self.error(code, message, retryable)], atMS: atMS)
        case .cancelled(let reason):
            var data = JSONObject()
            if let reason { data["reason"] = .string(reason) }
            return event(requestID, .cancelled, data: data, atMS: atMS)
        }
    }

    static func error(_ code: String, _ message: String, _ retryable: Bool) -> JSONValue {
        ["code": .string(code), "message": .string(String(message.prefix(2_000))), "retryable": .bool(retryable)]
    }

    func usageReport(_ requestID: String, workspaceID: String?, usage: UsageTotals, durationMS: Int64, atMS: Int64) -> MessageDraft {
        var payload: JSONObject = [
            "report_id": .string(Self.newID()), "request_id": .string(requestID),
            "executor_device_id": .string(deviceID), "tenant_id": .string(tenantID),
            "metrics": .object(usage.metrics(durationMS: durationMS)),
            "timestamp": .string(RFC3339.format(milliseconds: atMS)),
        ]
        if let workspaceID { payload["workspace_id"] = .string(workspaceID) }
        return MessageDraft(type: .usageReport, payload: .object(payload))
    }
}
