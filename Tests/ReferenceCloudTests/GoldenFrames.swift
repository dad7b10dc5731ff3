/// Golden frames for the cloud side, written by hand from PROTOCOL.md §2–§4 and nothing else, so a
/// reader can hold this file next to the protocol and compare it line by line. The tests send the
/// device texts byte for byte over a real socket and compare what the reference cloud emits with the
/// shapes below; if the code and the protocol drift apart, one of them fails.
///
/// Fixed values: device "dev-1" (TestSupport's `deviceID`), tenant "tenant-a" (`tenantID`). The
/// device token is only known at run time, so the connect text holds `{{TOKEN}}`.
enum GoldenFrames {
    // MARK: device → cloud (§3.3, §4 "Device → cloud")

    /// §3.3: the first frame. `resume.last_seq` 0: this device has assigned no seq yet.
    static let connect = #"""
        {"type": "connect", "id": "5f0c8a1e-3b7d-4e0a-9c2f-000000000001", "ts": "2026-11-24T10:00:00.000Z",
         "payload": {"device_id": "dev-1", "tenant_id": "tenant-a", "token": "{{TOKEN}}", "protocol": 1,
                     "agent": {"name": "cloud-connector", "version": "1.0.0"},
                     "resume": {"last_seq": 0}}}
        """#

    /// §4: highest assigned seq and how many outbox messages are not acked yet. No seq (not outbox).
    static let heartbeat = #"""
        {"type": "heartbeat", "id": "5f0c8a1e-3b7d-4e0a-9c2f-000000000002", "ts": "2026-11-24T10:00:05.000Z",
         "payload": {"last_seq": 8, "pending": 0}}
        """#

    /// §4: the answer to a cloud `ping`.
    static let pong = #"""
        {"type": "pong", "id": "5f0c8a1e-3b7d-4e0a-9c2f-000000000003", "ts": "2026-11-24T10:00:06.000Z", "payload": {}}
        """#

    /// The outbox messages (§2: these carry `seq`, 1, 2, 3, … in append order), one per special
    /// `data` of §4's execution_event row, then one usage_report and one messaging_reply.
    static let outbox: [(seq: Int64, type: String, text: String)] = [
        // R13: `accepted` carries data.job_type.
        (1, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000001", "ts": "2026-11-24T10:00:01.000Z", "seq": 1,
             "payload": {"event_id": "ev-1", "request_id": "req-1", "event_type": "accepted",
                         "data": {"job_type": "tool"}, "timestamp": "2026-11-24T10:00:01.000Z"}}
            """#),
        (2, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000002", "ts": "2026-11-24T10:00:01.100Z", "seq": 2,
             "payload": {"event_id": "ev-2", "request_id": "req-1", "event_type": "started",
                         "data": {}, "timestamp": "2026-11-24T10:00:01.100Z"}}
            """#),
        // `progress` carries data.progress (0..1) and/or data.message.
        (3, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000003", "ts": "2026-11-24T10:00:01.500Z", "seq": 3,
             "payload": {"event_id": "ev-3", "request_id": "req-1", "event_type": "progress",
                         "data": {"progress": 0.5, "message": "half way"}, "timestamp": "2026-11-24T10:00:01.500Z"}}
            """#),
        // `completed` carries data.result.
        (4, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000004", "ts": "2026-11-24T10:00:02.000Z", "seq": 4,
             "payload": {"event_id": "ev-4", "request_id": "req-1", "event_type": "completed",
                         "data": {"result": {"text": "done", "items": [1, 2]}}, "timestamp": "2026-11-24T10:00:02.000Z"}}
            """#),
        // `failed` carries data.error = {code, message, retryable}.
        (5, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000005", "ts": "2026-11-24T10:00:03.000Z", "seq": 5,
             "payload": {"event_id": "ev-5", "request_id": "req-2", "event_type": "failed",
                         "data": {"error": {"code": "tool_failed", "message": "exit status 1", "retryable": false}},
                         "timestamp": "2026-11-24T10:00:03.000Z"}}
            """#),
        (6, "execution_event", #"""
            {"type": "execution_event", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000006", "ts": "2026-11-24T10:00:04.000Z", "seq": 6,
             "payload": {"event_id": "ev-6", "request_id": "req-3", "event_type": "cancelled",
                         "data": {}, "timestamp": "2026-11-24T10:00:04.000Z"}}
            """#),
        // Every optional part present: workspace_id, token_usage, cost_estimate, model.
        (7, "usage_report", #"""
            {"type": "usage_report", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000007", "ts": "2026-11-24T10:00:02.000Z", "seq": 7,
             "payload": {"report_id": "rep-1", "request_id": "req-1", "executor_device_id": "dev-1", "tenant_id": "tenant-a",
                         "workspace_id": "ws-1",
                         "metrics": {"duration_ms": 1234,
                                     "token_usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                                     "cost_estimate": {"amount": 0.0042, "currency": "USD"}, "model": "model-x"},
                         "timestamp": "2026-11-24T10:00:02.000Z"}}
            """#),
        (8, "messaging_reply", #"""
            {"type": "messaging_reply", "id": "9a7e2c4b-1d3f-4a5b-8c6d-000000000008", "ts": "2026-11-24T10:00:04.500Z", "seq": 8,
             "payload": {"request_id": "msg-1", "channel": "line", "user_id": "U123", "reply_token": "rt-1",
                         "channel_config_id": "cc-1", "device_id": "dev-1",
                         "result": {"status": "completed", "reply_text": "hello", "workspace_id": "ws-1"},
                         "timestamp": "2026-11-24T10:00:04.500Z"}}
            """#),
    ]

    // MARK: cloud → device commands (§4 "Cloud → device"), as a caller hands them to the cloud

    /// Bodies for `POST /admin/devices/{id}/send`: type and payload only; the cloud adds id and ts.
    /// The emitted payload must be exactly this one.
    static let commands: [(type: String, body: String)] = [
        ("execution_request", #"""
            {"type": "execution_request",
             "payload": {"request_id": "req-p", "job_type": "playbook", "tenant_id": "tenant-a", "workspace_id": "ws-1",
                         "profile_id": "prof-1", "playbook_code": "daily_report", "inputs": {"day": "2026-11-24"},
                         "timeout_ms": 60000}}
            """#),
        ("execution_request", #"""
            {"type": "execution_request",
             "payload": {"request_id": "req-t", "job_type": "tool", "tool_name": "echo", "inputs": {"text": "hi"}}}
            """#),
        ("execution_request", #"""
            {"type": "execution_request",
             "payload": {"request_id": "req-c", "job_type": "chain",
                         "steps": [{"job_type": "tool", "tool_name": "fetch", "inputs": {"url": "x"}},
                                   {"job_type": "playbook", "playbook_code": "summarize"}],
                         "inputs": {}}}
            """#),
        ("execution_cancel", #"""
            {"type": "execution_cancel", "payload": {"request_id": "req-t", "reason": "user_cancelled"}}
            """#),
        ("messaging_event", #"""
            {"type": "messaging_event",
             "payload": {"request_id": "msg-1", "tenant_id": "tenant-a", "channel": "line", "event_type": "message",
                         "user_id": "U123", "reply_token": "rt-1", "message": {"type": "text", "text": "hello"},
                         "channel_config_id": "cc-1", "workspace_id": "ws-1", "timestamp": "2026-11-24T10:00:00.000Z"}}
            """#),
        ("capability_reload", #"""
            {"type": "capability_reload", "payload": {"pack": "core-tools", "version": "2.1.0"}}
            """#),
        ("ping", #"""
            {"type": "ping", "payload": {}}
            """#),
    ]

    // MARK: cloud → device payload shapes (§3.4 and §4 "Cloud → device")

    static let jobTypes: Set<String> = ["playbook", "tool", "chain"]

    static let shapes: [String: Shape] = [
        // §3.4: heartbeat_interval_ms and max_inflight have defaults when absent; tenant_id "may" appear.
        "connect_ack": Shape(
            required: ["session_id": .string, "acked_seq": .integer],
            optional: ["heartbeat_interval_ms": .integer, "max_inflight": .integer, "tenant_id": .string]),
        "ack": Shape(required: ["seq": .integer]),
        "heartbeat_ack": Shape(required: ["ts": .utcTime]),
        "execution_request": Shape(
            required: ["request_id": .string, "job_type": .oneOf(jobTypes), "inputs": .anyObject],
            optional: [
                "tenant_id": .string, "workspace_id": .string, "profile_id": .string, "playbook_code": .string,
                "tool_name": .string, "timeout_ms": .integer,
                "steps": .array(of: Shape(
                    required: ["job_type": .oneOf(jobTypes)],
                    optional: ["playbook_code": .string, "tool_name": .string, "inputs": .anyObject])),
            ]),
        "execution_cancel": Shape(required: ["request_id": .string], optional: ["reason": .string]),
        "messaging_event": Shape(
            required: [
                "request_id": .string, "channel": .string, "event_type": .string, "user_id": .string,
                "reply_token": .string, "message": .object(Shape(required: ["type": .string, "text": .string])),
                "channel_config_id": .string, "timestamp": .utcTime,
            ],
            optional: ["tenant_id": .string, "workspace_id": .string]),
        "capability_reload": Shape(optional: ["pack": .string, "version": .string]),
        "ping": Shape(),
        "error": Shape(required: ["code": .string, "message": .string]),
    ]

    /// §3.4: the only codes a handshake refusal may carry (plus the cloud's own for other errors).
    static let handshakeErrorCodes: [String: UInt16] = [
        "unauthorized": 4401, "tenant_mismatch": 4403, "protocol_unsupported": 4400,
    ]
}
