import Testing

/// Payloads written by hand from PROTOCOL.md §4, as a device really sends them.
enum Payloads {
    static func accepted(_ request: String, event: String, jobType: String = "playbook", at: String) -> String {
        """
        {"event_id":"\(event)","request_id":"\(request)","event_type":"accepted","data":{"job_type":"\(jobType)","playbook_code":"daily_digest"},"timestamp":"\(at)"}
        """
    }

    static func started(_ request: String, event: String, at: String) -> String {
        """
        {"event_id":"\(event)","request_id":"\(request)","event_type":"started","data":{},"timestamp":"\(at)"}
        """
    }

    static func progress(_ request: String, event: String, fraction: String, message: String, at: String) -> String {
        """
        {"event_id":"\(event)","request_id":"\(request)","event_type":"progress","data":{"progress":\(fraction),"message":"\(message)"},"timestamp":"\(at)"}
        """
    }

    static func completed(_ request: String, event: String, at: String) -> String {
        """
        {"event_id":"\(event)","request_id":"\(request)","event_type":"completed","data":{"result":{"summary":"3 new items","items":[{"id":"n-1"},{"id":"n-2"},{"id":"n-3"}]}},"timestamp":"\(at)"}
        """
    }

    static func failed(_ request: String, event: String, at: String) -> String {
        """
        {"event_id":"\(event)","request_id":"\(request)","event_type":"failed","data":{"error":{"code":"tool_timeout","message":"search_web did not answer within 30000 ms","retryable":true}},"timestamp":"\(at)"}
        """
    }

    /// `cost` is the JSON number literal of cost_estimate.amount; nil leaves cost_estimate out.
    static func usage(
        report: String, request: String, tenant: String = Fixture.tenantID, workspace: String? = "ws-main",
        model: String? = "gpt-4o-mini", prompt: Int = 1200, completion: Int = 300, cost: String? = "0.0125",
        currency: String = "USD", durationMS: Int = 4210, at: String
    ) -> String {
        var metrics = "\"duration_ms\":\(durationMS),\"token_usage\":{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),\"total_tokens\":\(prompt + completion)}"
        if let cost { metrics += ",\"cost_estimate\":{\"amount\":\(cost),\"currency\":\"\(currency)\"}" }
        if let model { metrics += ",\"model\":\"\(model)\"" }
        let workspaceField = workspace.map { ",\"workspace_id\":\(jsonString($0))" } ?? ""
        return """
            {"report_id":"\(report)","request_id":"\(request)","executor_device_id":"\(Fixture.deviceID)","tenant_id":"\(tenant)"\(workspaceField),"metrics":{\(metrics)},"timestamp":"\(at)"}
            """
    }

    static func reply(_ request: String, replyToken: String, at: String) -> String {
        """
        {"request_id":"\(request)","tenant_id":"\(Fixture.tenantID)","channel":"line","user_id":"U4af4980629","reply_token":"\(replyToken)","channel_config_id":"cfg-line-01","device_id":"\(Fixture.deviceID)","result":{"status":"completed","reply_text":"Your digest is ready: 3 new items.","workspace_id":"ws-main"},"timestamp":"\(at)"}
        """
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for char in text {
            switch char {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.append(char)
            }
        }
        return out + "\""
    }
}

/// A realistic small history: a playbook that completes, a tool run that fails, their usage, a
/// report without workspace or cost, one in EUR, one in December, and a messaging reply.
enum Scenario {
    static let secretReplyToken = "rt-7Hq2ZxSECRETtokenVALUE9913"

    static func populate(_ fixture: Fixture) throws {
        try fixture.append("execution_event", Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00.000Z"))
        try fixture.append("execution_event", Payloads.started("req-1", event: "ev-2", at: "2026-11-24T10:00:00.250Z"))
        try fixture.append("execution_event", Payloads.progress("req-1", event: "ev-3", fraction: "0.5", message: "fetched sources", at: "2026-11-24T10:00:02.000Z"))
        try fixture.append("execution_event", Payloads.completed("req-1", event: "ev-4", at: "2026-11-24T10:00:04.500Z"))
        try fixture.append("usage_report", Payloads.usage(report: "rep-1", request: "req-1", at: "2026-11-24T10:00:04.600Z"))
        try fixture.append("execution_event", Payloads.accepted("req-2", event: "ev-5", jobType: "tool", at: "2026-11-25T08:00:00.000Z"))
        try fixture.append("execution_event", Payloads.failed("req-2", event: "ev-6", at: "2026-11-25T08:00:30.000Z"))
        try fixture.append("usage_report", Payloads.usage(report: "rep-2", request: "req-2", workspace: "ws \"north\", eu", model: "claude-3-haiku", prompt: 800, completion: 0, cost: "0.000250", at: "2026-11-25T08:00:30.100Z"))
        try fixture.append("usage_report", Payloads.usage(report: "rep-3", request: "req-3", workspace: nil, model: nil, prompt: 10, completion: 5, cost: nil, at: "2026-11-26T09:00:00.000Z"))
        try fixture.append("usage_report", Payloads.usage(report: "rep-4", request: "req-4", cost: "1.5", currency: "EUR", at: "2026-11-30T23:59:59.999Z"))
        try fixture.append("usage_report", Payloads.usage(report: "rep-5", request: "req-5", cost: "2", at: "2026-12-01T00:00:00.000Z"))
        try fixture.append("messaging_reply", Payloads.reply("msg-1", replyToken: secretReplyToken, at: "2026-11-25T09:00:00.000Z"))
    }

    static let messages: Int64 = 12
}
