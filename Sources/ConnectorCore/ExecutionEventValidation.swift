/// `execution_event`: {event_id, request_id, event_type, data, timestamp}, with the extra `data`
/// members that `failed`, `completed` and `progress` must carry.
enum ExecutionEventValidation {
    static func validate(_ payload: PayloadReader) throws(PayloadError) -> OutboxFields {
        let eventID = try payload.identifier("event_id")
        let requestID = try payload.identifier("request_id")
        let eventType = try payload.oneOf("event_type", as: ExecutionEventType.self)
        let data = try payload.object("data")
        try validateData(data, for: eventType)
        let timestamp = try payload.timestamp("timestamp")
        let fields = ExecutionFields(eventID: eventID, eventType: eventType, jobType: data.object["job_type"]?.stringValue)
        return OutboxFields(requestID: requestID, timestampMS: timestamp, detail: .execution(fields))
    }

    private static func validateData(_ data: PayloadReader, for eventType: ExecutionEventType) throws(PayloadError) {
        switch eventType {
        case .failed:
            let error = try data.object("error")
            _ = try error.nonEmptyString("code")
            _ = try error.string("message")
            _ = try error.bool("retryable")
        case .completed:
            // Any JSON value, null included: a job may well have produced nothing.
            guard data.object["result"] != nil else { throw data.failure("result", "is required") }
        case .progress:
            var carriesSomething = false
            if data.optional("progress") != nil {
                let fraction = try data.number("progress").double
                guard fraction >= 0 && fraction <= 1 else {
                    throw data.failure("progress", "must be a number from 0 to 1")
                }
                carriesSomething = true
            }
            if try data.optionalString("message") != nil { carriesSomething = true }
            guard carriesSomething else {
                throw PayloadError(path: data.path, reason: "must carry progress (0 to 1) or message")
            }
        case .accepted, .started, .cancelled:
            break
        }
    }
}
