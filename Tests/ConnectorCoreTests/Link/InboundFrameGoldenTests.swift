import ConnectorCore
import Testing

/// Cloud → device frames written out by hand from PROTOCOL.md §3–§4, decoded.
@Suite struct InboundFrameGoldenTests {
    @Test func connectAckWithEveryField() throws {
        let text = """
            {"type":"connect_ack","id":"7d6f0a52-1c2b-4a55-9b0e-3f1d2c4b5a69","ts":"2026-11-24T10:00:00.123Z",
             "payload":{"session_id":"sess-81f2","acked_seq":42,"heartbeat_interval_ms":20000,"max_inflight":250,
                        "tenant_id":"acme"}}
            """
        let envelope = try InboundEnvelope.decode(text)
        #expect(envelope.id == "7d6f0a52-1c2b-4a55-9b0e-3f1d2c4b5a69")
        #expect(envelope.ts == "2026-11-24T10:00:00.123Z")
        let expected = ConnectAck(
            sessionID: "sess-81f2", ackedSeq: 42, heartbeatInterval: .seconds(20), maxInflight: 250, tenantID: "acme")
        #expect(envelope.frame == .connectAck(expected))
        #expect(envelope.frame.type == "connect_ack")
    }

    @Test func connectAckDefaultsWhenOptionalFieldsAreAbsentOrNull() throws {
        let bare = #"{"type":"connect_ack","id":"a","ts":"2026-11-24T10:00:00Z","payload":{"session_id":"s","acked_seq":0}}"#
        let nulls = #"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"heartbeat_interval_ms":null,"max_inflight":null,"tenant_id":null}}"#
        for text in [bare, nulls] {
            guard case .connectAck(let ack) = try InboundFrame.decode(text) else {
                Issue.record("not a connect_ack")
                continue
            }
            #expect(ack.heartbeatInterval == .milliseconds(15_000))
            #expect(ack.maxInflight == 1000)
            #expect(ack.tenantID == nil)
            #expect(ack.ackedSeq == 0)
        }
    }

    @Test func ack() throws {
        let text = #"{"type":"ack","id":"0b9e","ts":"2026-11-24T10:00:01.000Z","payload":{"seq":1234}}"#
        #expect(try InboundFrame.decode(text) == .ack(seq: 1234))
    }

    @Test func heartbeatAck() throws {
        let text = #"{"type":"heartbeat_ack","id":"h1","ts":"2026-11-24T10:00:15.000Z","payload":{"ts":"2026-11-24T10:00:15.000Z"}}"#
        #expect(try InboundFrame.decode(text) == .heartbeatAck(ts: "2026-11-24T10:00:15.000Z"))
    }

    @Test func executionRequestKeepsItsWholePayload() throws {
        let payloadText = """
            {"request_id":"req-7","job_type":"playbook","tenant_id":"acme","workspace_id":"ws-1","profile_id":"p-1",
             "playbook_code":"daily_summary","inputs":{"topic":"sales","limit":5},"timeout_ms":60000}
            """
        let text = #"{"type":"execution_request","id":"e1","ts":"2026-11-24T10:00:02.000Z","payload":"# + payloadText + "}"
        let payload = try #require(try JSON.parse(payloadText).objectValue)
        #expect(try InboundFrame.decode(text) == .executionRequest(InboundRequest(requestID: "req-7", payload: payload)))
    }

    @Test func chainExecutionRequest() throws {
        let text = """
            {"type":"execution_request","id":"e2","ts":"2026-11-24T10:00:02.000Z","payload":{"request_id":"req-8",
             "job_type":"chain","steps":[{"job_type":"tool","tool_name":"fetch","inputs":{}},
             {"job_type":"playbook","playbook_code":"summarize"}],"inputs":{}}}
            """
        guard case .executionRequest(let request) = try InboundFrame.decode(text) else {
            Issue.record("not an execution_request")
            return
        }
        #expect(request.requestID == "req-8")
        #expect(request.payload["steps"]?.arrayValue?.count == 2)
    }

    @Test func executionCancel() throws {
        let withReason = #"{"type":"execution_cancel","id":"c1","ts":"2026-11-24T10:00:03.000Z","payload":{"request_id":"req-7","reason":"user cancelled"}}"#
        let bare = #"{"type":"execution_cancel","id":"c2","ts":"2026-11-24T10:00:03.000Z","payload":{"request_id":"req-7"}}"#
        #expect(try InboundFrame.decode(withReason) == .executionCancel(ExecutionCancel(requestID: "req-7", reason: "user cancelled")))
        #expect(try InboundFrame.decode(bare) == .executionCancel(ExecutionCancel(requestID: "req-7")))
    }

    @Test func messagingEvent() throws {
        let payloadText = """
            {"request_id":"msg-1","tenant_id":"acme","channel":"line","event_type":"message","user_id":"U123",
             "reply_token":"rt-secret-1","message":{"type":"text","text":"hello"},"channel_config_id":"cc-9",
             "workspace_id":"ws-1","timestamp":"2026-11-24T10:00:04.000Z"}
            """
        let text = #"{"type":"messaging_event","id":"m1","ts":"2026-11-24T10:00:04.000Z","payload":"# + payloadText + "}"
        let frame = try InboundFrame.decode(text)
        let payload = try #require(try JSON.parse(payloadText).objectValue)
        #expect(frame == .messagingEvent(InboundRequest(requestID: "msg-1", payload: payload)))
        // Its reply_token is a credential: text forms of the request hide it.
        #expect(!everyTextForm(of: frame).contains("rt-secret-1"))
    }

    @Test func capabilityReload() throws {
        let full = #"{"type":"capability_reload","id":"r1","ts":"2026-11-24T10:00:05.000Z","payload":{"pack":"office-tools","version":"2.1.0"}}"#
        let empty = #"{"type":"capability_reload","id":"r2","ts":"2026-11-24T10:00:05.000Z","payload":{}}"#
        #expect(try InboundFrame.decode(full) == .capabilityReload(CapabilityReload(pack: "office-tools", version: "2.1.0")))
        #expect(try InboundFrame.decode(empty) == .capabilityReload(CapabilityReload()))
    }

    @Test func ping() throws {
        #expect(try InboundFrame.decode(#"{"type":"ping","id":"p1","ts":"2026-11-24T10:00:06.000Z","payload":{}}"#) == .ping)
        // Existing platforms send bare pings; an absent or null payload reads as {}.
        #expect(try InboundFrame.decode(#"{"type":"ping"}"#) == .ping)
        #expect(try InboundFrame.decode(#"{"type":"ping","payload":null}"#) == .ping)
    }

    @Test(arguments: [
        ("unauthorized", CloudError.Refusal.unauthorized, CloseCode.unauthorized),
        ("tenant_mismatch", .tenantMismatch, .forbidden),
        ("protocol_unsupported", .protocolUnsupported, .protocolError),
    ])
    func refusalErrors(code: String, refusal: CloudError.Refusal, closeCode: CloseCode) throws {
        let text = #"{"type":"error","id":"x1","ts":"2026-11-24T10:00:07.000Z","payload":{"code":""# + code + #"","message":"no"}}"#
        let frame = try InboundFrame.decode(text)
        #expect(frame == .error(CloudError(code: code, message: "no")))
        guard case .error(let error) = frame else { return }
        #expect(error.refusal == refusal)
        #expect(error.refusal?.closeCode == closeCode)
    }

    @Test func otherErrorCodeHasNoRefusalAndMessageIsOptional() throws {
        let frame = try InboundFrame.decode(#"{"type":"error","payload":{"code":"rate_limited"}}"#)
        #expect(frame == .error(CloudError(code: "rate_limited", message: "")))
        guard case .error(let error) = frame else { return }
        #expect(error.refusal == nil)
    }

    @Test func unknownTypeIsKeptForLoggingWhateverItsPayload() throws {
        #expect(try InboundFrame.decode(#"{"type":"firmware_offer","id":"f","payload":{"url":"x"}}"#) == .unknown(type: "firmware_offer"))
        #expect(try InboundFrame.decode(#"{"type":"firmware_offer","payload":[1,2]}"#) == .unknown(type: "firmware_offer"))
        #expect(InboundFrame.unknown(type: "firmware_offer").type == "firmware_offer")
    }

    @Test func unknownFieldsAreIgnoredEverywhere() throws {
        let text = """
            {"type":"ack","id":"a","ts":"2026-11-24T10:00:00Z","seq":99,"trace":{"span":1},
             "payload":{"seq":7,"stored_at":"2026-11-24T10:00:00Z","extra":[null]}}
            """
        #expect(try InboundFrame.decode(text) == .ack(seq: 7))
    }

    @Test func wholeNumbersWrittenAsFloatsStillCount() throws {
        #expect(try InboundFrame.decode(#"{"type":"ack","payload":{"seq":7.0}}"#) == .ack(seq: 7))
        #expect(try InboundFrame.decode(#"{"type":"ack","payload":{"seq":7e2}}"#) == .ack(seq: 700))
    }

    @Test func envelopeIDAndTimestampAreOptional() throws {
        let envelope = try InboundEnvelope.decode(#"{"type":"ack","payload":{"seq":1}}"#)
        #expect(envelope == InboundEnvelope(frame: .ack(seq: 1)))
    }

    @Test func everyKnownTypeHasAGoldenFrame() {
        // Guards this suite: a type added to the enum needs a golden frame above.
        #expect(Set(InboundFrameType.allCases.map(\.rawValue)) == [
            "connect_ack", "ack", "heartbeat_ack", "execution_request", "execution_cancel", "messaging_event",
            "capability_reload", "ping", "error",
        ])
    }

    @Test func decodesFromBytesAsFromText() throws {
        let text = #"{"type":"ack","payload":{"seq":5}}"#
        #expect(try InboundFrame.decode(Array(text.utf8)) == .ack(seq: 5))
    }
}
