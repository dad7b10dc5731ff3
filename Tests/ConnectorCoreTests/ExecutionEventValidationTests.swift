import ConnectorCore
import Testing

@Suite struct ExecutionEventValidationTests {
    static func event(_ type: String, data: JSONValue) -> JSONValue {
        ["event_id": "ev-1", "request_id": "req-1", "event_type": .string(type), "data": data, "timestamp": timestamp]
    }

    static let examples: [(ExecutionEventType, JSONValue)] = [
        (.accepted, ["job_type": "playbook"]),
        (.started, [:]),
        (.progress, ["progress": .number(JSONNumber(literal: "0.5")!), "message": "halfway"]),
        (.completed, ["result": ["ok": true, "items": [1, 2]]]),
        (.failed, ["error": ["code": "interrupted", "message": "device restarted", "retryable": true]]),
        (.cancelled, ["reason": "user"]),
    ]

    @Test(arguments: examples)
    func acceptsOneExamplePerEventType(type: ExecutionEventType, data: JSONValue) throws {
        let fields = try OutboxPayload.validate(type: .executionEvent, payload: Self.event(type.rawValue, data: data))
        let expectedJobType: String? = type == .accepted ? "playbook" : nil
        #expect(fields.requestID == "req-1")
        #expect(fields.timestampMS == timestampMS)
        #expect(fields.detail == .execution(ExecutionFields(eventID: "ev-1", eventType: type, jobType: expectedJobType)))
        #expect(fields.naturalKey == "ev-1")
    }

    @Test func acceptsProgressWithOnlyOneOfItsFieldsAndUnknownExtras() throws {
        let onlyProgress = Self.event("progress", data: ["progress": 1, "message": nil])
        let onlyMessage = Self.event("progress", data: ["message": "working", "progress": nil])
        #expect(validationError(.executionEvent, onlyProgress) == nil)
        #expect(validationError(.executionEvent, onlyMessage) == nil)
        let extras = setting(["any": [1]], at: ["future_field"], in: Self.event("started", data: [:]))
        #expect(validationError(.executionEvent, extras) == nil)
    }

    @Test func completedAcceptsANullResult() {
        #expect(validationError(.executionEvent, Self.event("completed", data: ["result": nil])) == nil)
    }

    @Test func identifiersMayUseAllTheirBytes() {
        let payload = setting(longestIdentifier, at: ["event_id"], in: Self.event("started", data: [:]))
        #expect(validationError(.executionEvent, payload) == nil)
    }

    @Test(arguments: [
        Rejection("event_id", nil, "payload.event_id: is required"),
        Rejection("event_id", .null, "payload.event_id: is required"),
        Rejection("event_id", "", "payload.event_id: must be a non-empty string"),
        Rejection("event_id", 7, "payload.event_id: must be a string"),
        Rejection("event_id", tooLongIdentifier, "payload.event_id: must be at most 256 UTF-8 bytes"),
        Rejection("request_id", nil, "payload.request_id: is required"),
        Rejection("request_id", "", "payload.request_id: must be a non-empty string"),
        Rejection("event_type", nil, "payload.event_type: is required"),
        Rejection(
            "event_type", "done",
            "payload.event_type: must be one of accepted, started, progress, completed, failed, cancelled"),
        Rejection("event_type", "FAILED", "payload.event_type: must be one of accepted, started, progress, completed, failed, cancelled"),
        Rejection("data", nil, "payload.data: is required"),
        Rejection("data", [1], "payload.data: must be an object"),
        Rejection("timestamp", nil, "payload.timestamp: is required"),
        Rejection("timestamp", 1_795_514_400_123, "payload.timestamp: must be a string"),
        Rejection("timestamp", "2026-02-30T00:00:00Z", "payload.timestamp: must be an RFC 3339 time"),
    ])
    func rejectsCommonFields(rejection: Rejection) {
        let payload = setting(rejection.value, at: rejection.path, in: Self.event("started", data: [:]))
        #expect(validationError(.executionEvent, payload)?.description == rejection.expected)
    }

    static let failedEvent = event("failed", data: ["error": ["code": "boom", "message": "", "retryable": false]])

    @Test(arguments: [
        Rejection("data.error", nil, "payload.data.error: is required"),
        Rejection("data.error", "boom", "payload.data.error: must be an object"),
        Rejection("data.error.code", nil, "payload.data.error.code: is required"),
        Rejection("data.error.code", "", "payload.data.error.code: must be a non-empty string"),
        Rejection("data.error.code", 500, "payload.data.error.code: must be a string"),
        Rejection("data.error.message", nil, "payload.data.error.message: is required"),
        Rejection("data.error.message", false, "payload.data.error.message: must be a string"),
        Rejection("data.error.retryable", nil, "payload.data.error.retryable: is required"),
        Rejection("data.error.retryable", "yes", "payload.data.error.retryable: must be true or false"),
    ])
    func rejectsFailedWithoutAProperError(rejection: Rejection) {
        #expect(validationError(.executionEvent, Self.failedEvent) == nil)
        let payload = setting(rejection.value, at: rejection.path, in: Self.failedEvent)
        #expect(validationError(.executionEvent, payload)?.description == rejection.expected)
    }

    @Test func rejectsCompletedWithoutAResult() {
        let payload = Self.event("completed", data: ["output": 1])
        #expect(validationError(.executionEvent, payload)?.description == "payload.data.result: is required")
    }

    @Test(arguments: [
        Rejection("data.progress", nil, "payload.data: must carry progress (0 to 1) or message"),
        Rejection("data.progress", .number(JSONNumber(literal: "1.5")!), "payload.data.progress: must be a number from 0 to 1"),
        Rejection("data.progress", -1, "payload.data.progress: must be a number from 0 to 1"),
        Rejection("data.progress", "50%", "payload.data.progress: must be a number"),
    ])
    func rejectsProgressWithoutProgressOrMessage(rejection: Rejection) {
        let payload = setting(rejection.value, at: rejection.path, in: Self.event("progress", data: ["progress": 0]))
        #expect(validationError(.executionEvent, payload)?.description == rejection.expected)
    }

    @Test func rejectsAProgressMessageThatIsNotAString() {
        let payload = Self.event("progress", data: ["message": 5])
        #expect(validationError(.executionEvent, payload)?.description == "payload.data.message: must be a string")
    }

    @Test(arguments: [JSONValue.null, "text", 5, [1], true])
    func rejectsAPayloadThatIsNotAnObject(payload: JSONValue) {
        for type in OutboxMessageType.allCases {
            let error = validationError(type, payload)
            #expect(error?.path == "payload")
            #expect(error?.reason == (payload == .null ? "is required" : "must be an object"))
        }
    }

    @Test func reportsTheFirstError() {
        let payload: JSONValue = ["event_type": "nope", "data": 1]
        #expect(validationError(.executionEvent, payload)?.description == "payload.event_id: is required")
    }
}
