import ConnectorCore
import OutboxStore

/// The cloud's side of the checks, through the reference cloud's admin API.
struct CloudAudit {
    let http: HTTP
    var api: String

    struct Counts {
        var messages: Int
        var duplicates: Int
        var ackedSeq: Int64
        var connected: Bool
    }

    struct Row {
        let seq: Int64
        let id: String
        let type: String
        let payload: JSONValue
    }

    func counts() async throws -> Counts {
        let json = try await http.json("\(api)/admin/devices/\(Device.id)/counts")
        func int(_ key: String) -> Int64 { json[key]?.numberValue?.int64 ?? 0 }
        return Counts(
            messages: Int(int("messages")), duplicates: Int(int("duplicates")), ackedSeq: int("acked_seq"),
            connected: json["connected"]?.boolValue == true)
    }

    func rows() async throws -> [Row] {
        let json = try await http.json("\(api)/admin/devices/\(Device.id)/messages", maxBytes: 1 << 30)
        return (json.arrayValue ?? []).map { row in
            Row(
                seq: row["seq"]?.numberValue?.int64 ?? 0, id: row["id"]?.stringValue ?? "", type: row["type"]?.stringValue ?? "",
                payload: row["payload"] ?? .null)
        }
    }

    /// The cloud holds every message the device holds exactly once, under its seq and id (R2, R6),
    /// and nothing else; every append that returned is there once; no usage report or event is
    /// counted twice by its report_id/event_id; every request the cloud saw accepted ended once (R13).
    func fullCheck(device: [StoredMessage], returned: [ReturnedAppend], counts: Counts, cycle: Int?) async throws -> [Violation] {
        let rows = try await rows()
        let when = cycle.map { "cycle \($0): " } ?? "at the end: "
        var violations: [Violation] = []
        var byID: [String: [Row]] = [:]
        var bySeq: [Int64: Row] = [:]
        for row in rows {
            byID[row.id, default: []].append(row)
            bySeq[row.seq] = row
        }
        for (id, copies) in byID where copies.count > 1 {
            violations.append(Violation(kind: .doubleCount, message: "\(when)the cloud holds id \(id) \(copies.count) times: seqs \(copies.map(\.seq))"))
        }
        var held: Set<Int64> = []
        // Consecutive missing seqs are one violation naming the range and its first message.
        var missing: [StoredMessage] = []
        func reportMissing() {
            guard let first = missing.first, let last = missing.last else { return }
            let range = missing.count == 1 ? "seq \(first.seq)" : "\(missing.count) messages, seqs \(first.seq)–\(last.seq)"
            violations.append(Violation(kind: .cloudLoss, message: """
                \(when)the device holds \(range) but the cloud does not; the first is \(Self.describe(first))
                """, messages: missing.count))
            missing.removeAll()
        }
        for message in device {
            held.insert(message.seq)
            guard let row = bySeq[message.seq] else {
                if let previous = missing.last, previous.seq != message.seq - 1 { reportMissing() }
                missing.append(message)
                continue
            }
            if row.id != message.id.description {
                violations.append(Violation(kind: .cloudLoss, message: "\(when)the cloud holds seq \(message.seq) under id \(row.id), the device holds \(Self.describe(message))"))
            }
        }
        reportMissing()
        for row in rows where !held.contains(row.seq) {
            violations.append(Violation(kind: .doubleCount, message: "\(when)the cloud holds seq \(row.seq) id \(row.id) (\(row.type)), which the device does not hold"))
        }
        if counts.messages != device.count {
            violations.append(Violation(kind: device.count > counts.messages ? .cloudLoss : .doubleCount, message: """
                \(when)the cloud counts \(counts.messages) messages, the device holds \(device.count) distinct ids
                """, messages: 0))
        }
        // Returned appends the device still holds are covered above. One it lost (already a device
        // loss) may still have reached the cloud before; if not, say that neither side holds it.
        var checked: Set<String> = []
        for append in returned where checked.insert(append.id).inserted && !held.contains(append.seq) {
            let copies = byID[append.id]?.count ?? 0
            if copies != 1 {
                violations.append(Violation(kind: copies == 0 ? .cloudLoss : .doubleCount, message: """
                    \(when)\(append.label), returned in cycle \(append.cycle), is on the cloud \(copies) times
                    """))
            }
        }
        for (field, type) in [("report_id", "usage_report"), ("event_id", "execution_event")] {
            var seen: [String: Int64] = [:]
            for row in rows where row.type == type {
                guard let key = row.payload[field]?.stringValue else { continue }
                if let first = seen[key] {
                    violations.append(Violation(kind: .doubleCount, message: "\(when)the cloud counts \(type) \(key) twice: seqs \(first) and \(row.seq)"))
                } else {
                    seen[key] = row.seq
                }
            }
        }
        var accepted: [String: Int] = [:]
        var terminals: [String: [String]] = [:]
        for row in rows where row.type == "execution_event" {
            guard let request = row.payload["request_id"]?.stringValue, let event = row.payload["event_type"]?.stringValue else { continue }
            if event == "accepted" { accepted[request, default: 0] += 1 }
            if ["completed", "failed", "cancelled"].contains(event) { terminals[request, default: []].append("\(event) at seq \(row.seq)") }
        }
        for (request, count) in accepted.sorted(by: { $0.key < $1.key }) where count != 1 || terminals[request]?.count != 1 {
            let ends = terminals[request].map { "ended \($0.count) times: \($0.joined(separator: ", "))" } ?? "never ended"
            violations.append(Violation(kind: .r13, message: "\(when)on the cloud, request \(request) was accepted \(count) time(s) and \(ends)"))
        }
        return violations
    }

    static func describe(_ message: StoredMessage) -> String {
        "\(message.type.rawValue) \(message.naturalKey ?? message.requestID) (seq \(message.seq), id \(message.id))"
    }
}
