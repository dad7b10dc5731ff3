import ConnectorCore
import OutboxStore
import Testing

/// The device's outbox frames byte for byte, against frames written out by hand from PROTOCOL.md
/// §2 and §4 (the cloud side checks the same texts in ReferenceCloudTests' golden frames). The
/// store keeps messages in a stripped layout; what it sends must still be exactly what was appended,
/// inside the §2 envelope, with the id, ts and seq fixed at append time (R2).
@Suite("Golden frames: outbox messages as the device sends them")
struct GoldenOutboxFrameTests {
    struct Golden: Sendable, CustomStringConvertible {
        let type: OutboxMessageType
        let payload: String
        let frame: String
        var description: String { type.rawValue }
    }

    static let id = "8c1f2a44-5b6e-4c7d-9e8f-0a1b2c3d4e5f"
    /// 2026-11-24T10:00:00.123Z
    static let createdAtMS: Int64 = 1_795_514_400_123

    static let goldens: [Golden] = [
        Golden(
            type: .executionEvent,
            payload: #"{"event_id":"ev-1","request_id":"req-1","event_type":"failed","data":{"error":{"code":"timeout","message":"ran past timeout_ms","retryable":true}},"timestamp":"2026-11-24T10:00:00.100Z"}"#,
            frame: #"{"type":"execution_event","id":"8c1f2a44-5b6e-4c7d-9e8f-0a1b2c3d4e5f","ts":"2026-11-24T10:00:00.123Z","seq":1,"payload":{"event_id":"ev-1","request_id":"req-1","event_type":"failed","data":{"error":{"code":"timeout","message":"ran past timeout_ms","retryable":true}},"timestamp":"2026-11-24T10:00:00.100Z"}}"#),
        Golden(
            type: .usageReport,
            payload: #"{"report_id":"rep-1","request_id":"req-1","executor_device_id":"dev-test-1","tenant_id":"tenant-a","workspace_id":"ws-1","metrics":{"duration_ms":1520,"token_usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150},"cost_estimate":{"amount":0.0042,"currency":"USD"},"model":"gpt-x"},"timestamp":"2026-11-24T10:00:01.620Z"}"#,
            frame: #"{"type":"usage_report","id":"8c1f2a44-5b6e-4c7d-9e8f-0a1b2c3d4e5f","ts":"2026-11-24T10:00:00.123Z","seq":1,"payload":{"report_id":"rep-1","request_id":"req-1","executor_device_id":"dev-test-1","tenant_id":"tenant-a","workspace_id":"ws-1","metrics":{"duration_ms":1520,"token_usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150},"cost_estimate":{"amount":0.0042,"currency":"USD"},"model":"gpt-x"},"timestamp":"2026-11-24T10:00:01.620Z"}}"#),
        Golden(
            type: .messagingReply,
            payload: #"{"request_id":"msg-1","channel":"line","user_id":"U1","reply_token":"rt-1","channel_config_id":"cfg-line-1","device_id":"dev-test-1","result":{"status":"completed","reply_text":"Hi \u00e9 \"you\"","workspace_id":"ws-1"},"timestamp":"2026-11-24T10:00:02.000Z"}"#,
            frame: #"{"type":"messaging_reply","id":"8c1f2a44-5b6e-4c7d-9e8f-0a1b2c3d4e5f","ts":"2026-11-24T10:00:00.123Z","seq":1,"payload":{"request_id":"msg-1","channel":"line","user_id":"U1","reply_token":"rt-1","channel_config_id":"cfg-line-1","device_id":"dev-test-1","result":{"status":"completed","reply_text":"Hi é \"you\"","workspace_id":"ws-1"},"timestamp":"2026-11-24T10:00:02.000Z"}}"#),
    ]

    @Test("each outbox type goes out exactly as written by hand", arguments: goldens)
    func frameIsByteExact(_ golden: Golden) async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, clock: ManualClock(Self.createdAtMS))
        defer { store.close() }
        let payload = try JSON.parse(golden.payload)
        guard let id = MessageID(string: Self.id) else {
            Issue.record("the golden id is not a UUID")
            return
        }
        let appended = try await store.append(MessageDraft(type: golden.type, payload: payload, id: id))
        #expect(appended.seq == 1)
        let sent = try #require(try store.makeReader().message(seq: 1)).envelope
        #expect(String(decoding: sent, as: UTF8.self) == golden.frame)
        // A resend later, from a reopened store, is the same bytes (R2).
        store.close()
        let reopened = try openStore(directory, clock: ManualClock(Self.createdAtMS + 60_000))
        defer { reopened.close() }
        #expect(try reopened.makeReader().message(seq: 1)?.envelope == sent)
    }
}
