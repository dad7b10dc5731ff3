import ConnectorCore
import Foundation
import OutboxStore

/// A fixture's store filled in-process with many messages, faster than one CLI append each.
enum FilledStore {
    /// `count` messages of all three types, the first `acked` acked, then closed (WAL checkpointed).
    static func fill(_ fixture: Fixture, count: Int, acked: Int64 = 0) async throws {
        let store = try fixture.openStore()
        var drafts: [MessageDraft] = []
        for index in 0..<count {
            let request = "req-\(index / 10)"
            let at = "2026-11-24T10:00:\(String(format: "%02d", index % 60)).000Z"
            let text: String
            let type: OutboxMessageType
            switch index % 10 {
            case 4:
                type = .usageReport
                text = Payloads.usage(report: "rep-\(index)", request: request, prompt: 1000 + index, at: at)
            case 7:
                type = .messagingReply
                text = #"{"request_id":"\#(request)","channel":"line","user_id":"U1","reply_token":"rt-\#(index)","channel_config_id":"cfg-1","device_id":"\#(Fixture.deviceID)","result":{"status":"completed","reply_text":"done \#(index)"},"timestamp":"\#(at)"}"#
            default:
                type = .executionEvent
                text = Payloads.progress(
                    request, event: "ev-\(index)", fraction: "0.5",
                    message: "step \(index) " + String(repeating: "read the sources and wrote notes ", count: 6), at: at)
            }
            drafts.append(MessageDraft(type: type, payload: try JSON.parse(Array(text.utf8))))
            if drafts.count == 50 {
                _ = try await store.append(drafts)
                drafts.removeAll()
            }
        }
        if !drafts.isEmpty { _ = try await store.append(drafts) }
        if acked > 0 { _ = try await store.acknowledge(through: acked) }
        store.close()
    }
}
