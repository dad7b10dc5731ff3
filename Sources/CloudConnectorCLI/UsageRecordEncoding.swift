import ConnectorCore
import OutboxStore

/// One usage-ledger row as an export record. Every format carries report_id, so an importer that
/// keys on it never bills a re-exported report twice.
struct UsageRecordEncoding {
    let format: ExportFormat
    let deviceID: String

    static let csvColumns = [
        "report_id", "seq", "message_id", "request_id", "tenant_id", "workspace_id", "model", "day", "timestamp",
        "executor_device_id", "duration_ms", "prompt_tokens", "completion_tokens", "total_tokens", "cost",
        "currency", "cost_micros",
    ]

    static let cloudEventType = "mindscape.usage_report"

    /// Bytes written before the first record.
    var header: [UInt8] {
        format == .csv ? CSV.line(Self.csvColumns) : []
    }

    func encode(_ entry: LedgerEntry) -> [UInt8] {
        switch format {
        case .csv:
            return CSV.line(Self.fields(entry).map(\.text))
        case .jsonl:
            return jsonLine(.object(JSONObject(Self.fields(entry).map { ($0.name, $0.json) })))
        case .cloudevents:
            return jsonLine(cloudEvent(entry))
        }
    }

    private func jsonLine(_ value: JSONValue) -> [UInt8] {
        var bytes = JSON.encode(value)
        bytes.append(0x0A)
        return bytes
    }

    /// CloudEvents 1.0, structured JSON mode, as OpenMeter ingests: id = report_id (unique per
    /// source), source names the device, subject the workspace being billed.
    func cloudEvent(_ entry: LedgerEntry) -> JSONValue {
        let usage = entry.usage
        return [
            "specversion": "1.0",
            "id": .string(usage.reportID),
            "source": .string(Self.source(deviceID: deviceID)),
            "type": .string(Self.cloudEventType),
            "subject": .string(Self.subject(entry)),
            "time": .time(entry.reportedAtMS),
            "datacontenttype": "application/json",
            "data": [
                "report_id": .string(usage.reportID),
                "request_id": .string(entry.requestID),
                "tenant_id": .string(usage.tenantID),
                "workspace_id": .string(usage.workspaceID),
                "model": .string(usage.model),
                "executor_device_id": .string(usage.executorDeviceID),
                "duration_ms": .int(usage.durationMS),
                "prompt_tokens": .int(usage.promptTokens),
                "completion_tokens": .int(usage.completionTokens),
                "total_tokens": .int(usage.totalTokens),
                "cost": .string(MicroAmount.format(usage.costMicros)),
                "currency": .string(usage.currency),
                "cost_micros": .int(usage.costMicros),
            ],
        ]
    }

    /// "cloud-connector/<device id>", the id percent-encoded so the result is always a valid
    /// URI-reference whatever characters the id holds.
    static func source(deviceID: String) -> String {
        var encoded = ""
        for byte in deviceID.utf8 {
            let unreserved = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return "cloud-connector/" + encoded
    }

    /// The workspace billed; reports without one are billed to their tenant as "tenant:<tenant_id>".
    static func subject(_ entry: LedgerEntry) -> String {
        entry.usage.workspaceID.isEmpty ? "tenant:" + entry.usage.tenantID : entry.usage.workspaceID
    }

    struct Field {
        let name: String
        let text: String
        let json: JSONValue
    }

    /// The flat record of CSV and JSONL, in column order.
    static func fields(_ entry: LedgerEntry) -> [Field] {
        let usage = entry.usage
        func text(_ name: String, _ value: String) -> Field { Field(name: name, text: value, json: .string(value)) }
        func number(_ name: String, _ value: Int64) -> Field { Field(name: name, text: String(value), json: .int(value)) }
        return [
            text("report_id", usage.reportID),
            number("seq", entry.seq),
            text("message_id", entry.messageID.description),
            text("request_id", entry.requestID),
            text("tenant_id", usage.tenantID),
            text("workspace_id", usage.workspaceID),
            text("model", usage.model),
            text("day", entry.day),
            text("timestamp", RFC3339.format(milliseconds: entry.reportedAtMS)),
            text("executor_device_id", usage.executorDeviceID),
            number("duration_ms", usage.durationMS),
            number("prompt_tokens", usage.promptTokens),
            number("completion_tokens", usage.completionTokens),
            number("total_tokens", usage.totalTokens),
            text("cost", MicroAmount.format(usage.costMicros)),
            text("currency", usage.currency),
            number("cost_micros", usage.costMicros),
        ]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
