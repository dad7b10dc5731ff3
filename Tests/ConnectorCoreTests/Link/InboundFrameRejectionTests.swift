import ConnectorCore
import Testing

/// R15: every way a cloud frame can be malformed, and the exact error the shell logs for it.
@Suite struct InboundFrameRejectionTests {
    @Test(arguments: [
        // Envelope
        ("[]", "frame is not a JSON object"),
        (#""ack""#, "frame is not a JSON object"),
        ("42", "frame is not a JSON object"),
        ("{}", "frame has no type"),
        (#"{"payload":{"seq":1}}"#, "frame has no type"),
        (#"{"type":null}"#, "frame has no type"),
        (#"{"type":1}"#, "frame envelope: type: must be a non-empty string"),
        (#"{"type":["ack"]}"#, "frame envelope: type: must be a non-empty string"),
        (#"{"type":""}"#, "frame envelope: type: must be a non-empty string"),
        (#"{"type":"ack","id":5,"payload":{"seq":1}}"#, "ack frame: id: must be a string"),
        (#"{"type":"ack","ts":{},"payload":{"seq":1}}"#, "ack frame: ts: must be a string"),
        (#"{"type":"ack","payload":[]}"#, "ack frame: payload: must be an object"),
        (#"{"type":"ping","payload":"x"}"#, "ping frame: payload: must be an object"),
        (#"{"type":"ack"}"#, "ack frame: payload.seq: is required"),
        (#"{"type":"ack","payload":null}"#, "ack frame: payload.seq: is required"),
        // ack
        (#"{"type":"ack","payload":{"seq":null}}"#, "ack frame: payload.seq: is required"),
        (#"{"type":"ack","payload":{"seq":"5"}}"#, "ack frame: payload.seq: must be a non-negative whole number"),
        (#"{"type":"ack","payload":{"seq":-1}}"#, "ack frame: payload.seq: must be a non-negative whole number"),
        (#"{"type":"ack","payload":{"seq":1.5}}"#, "ack frame: payload.seq: must be a non-negative whole number"),
        (#"{"type":"ack","payload":{"seq":1e30}}"#, "ack frame: payload.seq: must be a non-negative whole number"),
        (#"{"type":"ack","payload":{"seq":true}}"#, "ack frame: payload.seq: must be a non-negative whole number"),
        // connect_ack
        (#"{"type":"connect_ack","payload":{"acked_seq":0}}"#, "connect_ack frame: payload.session_id: is required"),
        (#"{"type":"connect_ack","payload":{"session_id":7,"acked_seq":0}}"#,
         "connect_ack frame: payload.session_id: must be a string"),
        (#"{"type":"connect_ack","payload":{"session_id":"","acked_seq":0}}"#,
         "connect_ack frame: payload.session_id: must be a non-empty string"),
        (#"{"type":"connect_ack","payload":{"session_id":"s"}}"#, "connect_ack frame: payload.acked_seq: is required"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":-3}}"#,
         "connect_ack frame: payload.acked_seq: must be a non-negative whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":"0"}}"#,
         "connect_ack frame: payload.acked_seq: must be a non-negative whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"heartbeat_interval_ms":0}}"#,
         "connect_ack frame: payload.heartbeat_interval_ms: must be a positive whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"heartbeat_interval_ms":"15000"}}"#,
         "connect_ack frame: payload.heartbeat_interval_ms: must be a positive whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"heartbeat_interval_ms":2.5}}"#,
         "connect_ack frame: payload.heartbeat_interval_ms: must be a positive whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"max_inflight":0}}"#,
         "connect_ack frame: payload.max_inflight: must be a positive whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"max_inflight":-10}}"#,
         "connect_ack frame: payload.max_inflight: must be a positive whole number"),
        (#"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":0,"tenant_id":3}}"#,
         "connect_ack frame: payload.tenant_id: must be a string"),
        // heartbeat_ack
        (#"{"type":"heartbeat_ack","payload":{"ts":5}}"#, "heartbeat_ack frame: payload.ts: must be a string"),
        // execution_request, execution_cancel, messaging_event
        (#"{"type":"execution_request","payload":{"job_type":"tool"}}"#,
         "execution_request frame: payload.request_id: is required"),
        (#"{"type":"execution_request","payload":{"request_id":9}}"#,
         "execution_request frame: payload.request_id: must be a string"),
        (#"{"type":"execution_request","payload":{"request_id":""}}"#,
         "execution_request frame: payload.request_id: must be a non-empty string"),
        (#"{"type":"execution_cancel","payload":{"reason":"x"}}"#, "execution_cancel frame: payload.request_id: is required"),
        (#"{"type":"execution_cancel","payload":{"request_id":"r","reason":3}}"#,
         "execution_cancel frame: payload.reason: must be a string"),
        (#"{"type":"messaging_event","payload":{"channel":"line"}}"#, "messaging_event frame: payload.request_id: is required"),
        (#"{"type":"messaging_event","payload":{"request_id":[]}}"#, "messaging_event frame: payload.request_id: must be a string"),
        // capability_reload
        (#"{"type":"capability_reload","payload":{"pack":1}}"#, "capability_reload frame: payload.pack: must be a string"),
        (#"{"type":"capability_reload","payload":{"version":true}}"#,
         "capability_reload frame: payload.version: must be a string"),
        // error
        (#"{"type":"error","payload":{"message":"m"}}"#, "error frame: payload.code: is required"),
        (#"{"type":"error","payload":{"code":""}}"#, "error frame: payload.code: must be a non-empty string"),
        (#"{"type":"error","payload":{"code":4401}}"#, "error frame: payload.code: must be a string"),
        (#"{"type":"error","payload":{"code":"x","message":5}}"#, "error frame: payload.message: must be a string"),
    ])
    func malformedFrame(text: String, expected: String) {
        let error = frameDecodeError(text)
        #expect(error?.description == expected)
        if case .invalidField = error {} else if case .notAnObject = error {} else if case .missingType = error {} else {
            Issue.record("unexpected case \(String(describing: error))")
        }
    }

    @Test func requestIDLongerThan256BytesIsRefused() {
        let id = String(repeating: "x", count: 257)
        let error = frameDecodeError(#"{"type":"execution_request","payload":{"request_id":""# + id + #""}}"#)
        #expect(error?.description == "execution_request frame: payload.request_id: must be at most 256 UTF-8 bytes")
    }

    @Test(arguments: [
        ("", "invalid JSON at byte 0: unexpected end of input, expected a value"),
        ("not json", "invalid JSON at byte 0: invalid literal, expected null"),
        ("Ack", "invalid JSON at byte 0: unexpected 'A', expected a value"),
        (#"{"type":"ack""#, "invalid JSON at byte 13: unexpected end of input in object"),
        (#"{"type":"ack","payload":{"seq":1}} x"#, "invalid JSON at byte 35: unexpected 'x' after the JSON value"),
        (#"{"type":"ack","type":"ping"}"#, #"invalid JSON at byte 14: duplicate key "type""#),
        (#"{'type':'ack'}"#, "invalid JSON at byte 1: expected a string as object key"),
    ])
    func invalidJSON(text: String, expected: String) {
        let error = frameDecodeError(text)
        guard case .invalidJSON = error else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(error?.description == expected)
    }

    @Test func invalidUTF8IsInvalidJSON() {
        var bytes = Array(#"{"type":"ping","payload":{"note":"#.utf8)
        bytes += [0x22, 0xC3, 0x28, 0x22, 0x7D, 0x7D]
        guard case .invalidJSON(let error) = frameDecodeError(bytes: bytes) else {
            Issue.record("expected invalidJSON")
            return
        }
        #expect(error.reason == "invalid UTF-8")
    }

    @Test func nestingDeeperThanTheParserLimitIsInvalidJSON() {
        let deep = #"{"type":"ping","payload":{"x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}}"
        guard case .invalidJSON(let error) = frameDecodeError(deep) else {
            Issue.record("expected invalidJSON")
            return
        }
        #expect(error.reason == "nesting deeper than 64 levels")
    }

    @Test func framesOverOneMebibyteAreRefusedUnparsed() {
        let limit = InboundEnvelope.maxFrameBytes
        #expect(limit == 1_048_576)
        // Exactly at the limit: a valid frame padded with an unknown field decodes.
        let prefix = #"{"type":"ping","payload":{},"pad":""#
        let suffix = #""}"#
        let atLimit = prefix + String(repeating: "a", count: limit - prefix.utf8.count - suffix.utf8.count) + suffix
        #expect(atLimit.utf8.count == limit)
        #expect(frameDecodeError(atLimit) == nil)
        // One byte more is refused before parsing, even though it is valid JSON.
        let overLimit = prefix + String(repeating: "a", count: limit - prefix.utf8.count - suffix.utf8.count + 1) + suffix
        #expect(frameDecodeError(overLimit) == .tooLarge(byteCount: limit + 1, limit: limit))
        #expect(frameDecodeError(overLimit)?.description == "frame of 1048577 bytes is larger than the 1048576-byte limit")
        // Garbage that large is refused for its size, not its content.
        let garbage = [UInt8](repeating: 0xFF, count: 2 * limit)
        #expect(frameDecodeError(bytes: garbage) == .tooLarge(byteCount: 2 * limit, limit: limit))
    }

    @Test func binaryFrameErrorForTheShell() {
        #expect(FrameDecodeError.binaryFrame(byteCount: 12).description == "binary frame of 12 bytes (the protocol uses text frames only)")
    }

    /// Property: random mutations of valid frames never crash the decoder, and every failure is
    /// one of the typed errors (the fuzzer later does this at scale).
    @Test func mutatedFramesNeverEscapeTheTypedErrors() {
        let seeds = [
            #"{"type":"connect_ack","payload":{"session_id":"s","acked_seq":3,"heartbeat_interval_ms":1000}}"#,
            #"{"type":"ack","payload":{"seq":12}}"#,
            #"{"type":"messaging_event","payload":{"request_id":"m","message":{"type":"text","text":"hé"}}}"#,
        ]
        var generator = SeededGenerator(seed: 0x5EED)
        var decoded = 0
        for _ in 0..<3000 {
            var bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &generator)].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8.random(in: 0x20...0x7E, using: &generator), at: position)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            if frameDecodeError(bytes: bytes) == nil { decoded += 1 }
        }
        #expect(decoded < 3000)
    }
}
