public import ConnectorCore
import Foundation
public import OutboxStore

/// Generates realistic outbox traffic (PROTOCOL §4 shapes): executions with accepted → started →
/// progress* → completed/failed/cancelled, a usage_report per execution, and messaging replies.
/// Every id and timestamp is unique, text and numbers vary. Deterministic for a seed.
public struct TrafficGenerator: Sendable {
    /// Where free text comes from. Dictionary training uses `.randomWords`, so the shipped dictionary
    /// learns message shapes (keys, enums, formats) and never the vocabulary the benchmarks use.
    public enum TextStyle: Sendable {
        case vocabulary
        case randomWords
    }

    public var rng: SplitMix64
    public var textStyle: TextStyle = .vocabulary
    public let deviceID: String
    public let tenantID: String
    public private(set) var clockMS: Int64
    private var pending: [MessageDraft] = []
    /// The execution that sized events belong to: real progress comes from running executions, a
    /// few to a dozen events each, not one execution per event.
    private var running: (requestID: String, remaining: Int)?

    public init(seed: UInt64, deviceID: String, tenantID: String, startMS: Int64 = 1_795_000_000_000) {
        rng = SplitMix64(seed: seed)
        self.deviceID = deviceID
        self.tenantID = tenantID
        clockMS = startMS
    }

    /// The next message of an interleaved stream of executions.
    public mutating func next() -> MessageDraft {
        if pending.isEmpty { pending = execution().reversed() }
        return pending.removeLast()
    }

    /// All the messages of one execution, in order.
    public mutating func execution() -> [MessageDraft] {
        let requestID = uuid()
        let jobType = ["playbook", "tool", "chain"].randomElement(using: &rng)!
        let workspace = Bool.random(using: &rng) ? "ws-" + String(Int.random(in: 1...40, using: &rng)) : nil
        var drafts: [MessageDraft] = []
        let started = tick(50...400)
        drafts.append(event(requestID, "accepted", data: ["job_type": .string(jobType)], at: started))
        drafts.append(event(requestID, "started", data: [:], at: tick(5...80)))
        for step in 0..<Int.random(in: 0...6, using: &rng) {
            drafts.append(progress(requestID, fraction: Double(step + 1) / 8))
        }
        let outcome = Int.random(in: 0..<20, using: &rng)
        if outcome < 16 {
            drafts.append(event(requestID, "completed", data: ["result": result()], at: tick(100...9_000)))
        } else if outcome < 19 {
            let error: JSONValue = .object(JSONObject([
                ("code", .string(name(Vocabulary.errorCodes))),
                ("message", .string(sentence(6...14))),
                ("retryable", .bool(Bool.random(using: &rng))),
            ]))
            drafts.append(event(requestID, "failed", data: ["error": error], at: tick(100...9_000)))
        } else {
            drafts.append(event(requestID, "cancelled", data: ["reason": .string(sentence(3...6))], at: tick(10...500)))
        }
        drafts.append(usage(requestID, workspace: workspace, durationMS: clockMS - started))
        if Int.random(in: 0..<4, using: &rng) == 0 { drafts.append(reply(requestID, workspace: workspace)) }
        return drafts
    }

    /// A progress event of roughly `bytes` encoded payload size, from a running execution (for
    /// throughput benchmarks).
    public mutating func progressEvent(approximateBytes bytes: Int) -> MessageDraft {
        let requestID = runningRequest().requestID
        var words = 4
        while true {
            let draft = progress(requestID, fraction: Double.random(in: 0...1, using: &rng), words: words)
            let size = JSON.encode(draft.payload).count
            if size >= bytes || words > 4_000 { return draft }
            words += max(1, (bytes - size) / 7)
        }
    }

    /// An event whose payload is roughly `bytes` long (a "1 KB JSON event"): progress events of a
    /// running execution with long messages, the last one completing it with a long result.
    public mutating func sizedEvent(approximateBytes bytes: Int) -> MessageDraft {
        let (requestID, isLast) = runningRequest()
        var words = 10
        while true {
            let draft: MessageDraft
            if isLast {
                let data: JSONValue = .object(JSONObject([("result", result(summaryWords: words))]))
                draft = MessageDraft(type: .executionEvent, payload: eventPayload(requestID, "completed", data: data, at: tick(1...50)))
            } else {
                draft = progress(requestID, fraction: Double.random(in: 0...1, using: &rng), words: words)
            }
            if JSON.encode(draft.payload).count >= bytes || words > 4_000 { return draft }
            words += 3
        }
    }

    private mutating func runningRequest() -> (requestID: String, isLast: Bool) {
        if running == nil || running!.remaining == 0 {
            running = (uuid(), Int.random(in: 3...12, using: &rng))
        }
        running!.remaining -= 1
        return (running!.requestID, running!.remaining == 0)
    }

    // MARK: pieces

    public mutating func uuid() -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return MessageID(bytes: bytes)!.description
    }

    private mutating func tick(_ range: ClosedRange<Int64>) -> Int64 {
        clockMS += Int64.random(in: range, using: &rng)
        return clockMS
    }

    private mutating func sentence(_ count: ClosedRange<Int>) -> String {
        words(Int.random(in: count, using: &rng))
    }

    private mutating func words(_ count: Int) -> String {
        (0..<count).map { _ in word() }.joined(separator: " ")
    }

    private mutating func word() -> String {
        switch textStyle {
        case .vocabulary:
            return Vocabulary.words.randomElement(using: &rng)!
        case .randomWords:
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            return String((0..<Int.random(in: 2...9, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
        }
    }

    private mutating func name(_ list: [String]) -> String {
        textStyle == .vocabulary ? list.randomElement(using: &rng)! : word() + "-" + word()
    }

    private mutating func event(_ requestID: String, _ type: String, data: [String: JSONValue], at: Int64) -> MessageDraft {
        let object = JSONObject(data.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return MessageDraft(type: .executionEvent, payload: eventPayload(requestID, type, data: .object(object), at: at))
    }

    private mutating func eventPayload(_ requestID: String, _ type: String, data: JSONValue, at: Int64) -> JSONValue {
        .object(JSONObject([
            ("event_id", .string(uuid())),
            ("request_id", .string(requestID)),
            ("event_type", .string(type)),
            ("data", data),
            ("timestamp", .string(RFC3339.format(milliseconds: at))),
        ]))
    }

    private mutating func progress(_ requestID: String, fraction: Double, words: Int? = nil) -> MessageDraft {
        let text = words.map { count in self.words(count) } ?? sentence(4...12)
        let rounded = (min(1, max(0, fraction)) * 1000).rounded() / 1000
        let data: JSONValue = .object(JSONObject([
            ("progress", .number(JSONNumber(literal: String(rounded))!)),
            ("message", .string(text)),
        ]))
        return MessageDraft(type: .executionEvent, payload: eventPayload(requestID, "progress", data: data, at: tick(20...900)))
    }

    private mutating func result(summaryWords: Int? = nil) -> JSONValue {
        let words = summaryWords ?? Int.random(in: 8...40, using: &rng)
        return .object(JSONObject([
            ("summary", .string(self.words(words))),
            ("items", .number(JSONNumber(Int64.random(in: 0...500, using: &rng)))),
            ("confidence", .number(JSONNumber(literal: String(Double(Int.random(in: 500...999, using: &rng)) / 1000))!)),
        ]))
    }

    private mutating func usage(_ requestID: String, workspace: String?, durationMS: Int64) -> MessageDraft {
        let prompt = Int64.random(in: 50...12_000, using: &rng)
        let completion = Int64.random(in: 10...3_000, using: &rng)
        var metrics: [(String, JSONValue)] = [("duration_ms", .number(JSONNumber(max(0, durationMS))))]
        if Int.random(in: 0..<10, using: &rng) > 0 {
            metrics.append(("token_usage", .object(JSONObject([
                ("prompt_tokens", .number(JSONNumber(prompt))),
                ("completion_tokens", .number(JSONNumber(completion))),
                ("total_tokens", .number(JSONNumber(prompt + completion))),
            ]))))
            let micros = (prompt * 3 + completion * 12) / 10
            metrics.append(("cost_estimate", .object(JSONObject([
                ("amount", .number(JSONNumber(literal: Self.decimal(micros: micros))!)),
                ("currency", .string(Vocabulary.currencies.randomElement(using: &rng)!)),
            ]))))
            metrics.append(("model", .string(name(Vocabulary.models))))
        }
        var fields: [(String, JSONValue)] = [
            ("report_id", .string(uuid())),
            ("request_id", .string(requestID)),
            ("executor_device_id", .string(deviceID)),
            ("tenant_id", .string(tenantID)),
        ]
        if let workspace { fields.append(("workspace_id", .string(workspace))) }
        fields.append(("metrics", .object(JSONObject(metrics))))
        fields.append(("timestamp", .string(RFC3339.format(milliseconds: tick(1...20)))))
        return MessageDraft(type: .usageReport, payload: .object(JSONObject(fields)))
    }

    private mutating func reply(_ requestID: String, workspace: String?) -> MessageDraft {
        var result: [(String, JSONValue)] = [("status", .string("completed")), ("reply_text", .string(sentence(5...30)))]
        if let workspace { result.append(("workspace_id", .string(workspace))) }
        return MessageDraft(type: .messagingReply, payload: .object(JSONObject([
            ("request_id", .string(requestID)),
            ("channel", .string(name(Vocabulary.channels))),
            ("user_id", .string("U" + String(UInt64.random(in: 1...UInt64(1e15), using: &rng), radix: 16))),
            ("reply_token", .string(uuid().replacingOccurrences(of: "-", with: ""))),
            ("channel_config_id", .string("cfg-" + String(Int.random(in: 1...12, using: &rng)))),
            ("device_id", .string(deviceID)),
            ("result", .object(JSONObject(result))),
            ("timestamp", .string(RFC3339.format(milliseconds: tick(1...200)))),
        ])))
    }

    /// Micro-units as a decimal literal ("0.012345").
    static func decimal(micros: Int64) -> String {
        let whole = micros / 1_000_000
        let fraction = String(micros % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
