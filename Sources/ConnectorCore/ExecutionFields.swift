/// What an `execution_event` payload yields beyond the common fields.
public struct ExecutionFields: Sendable, Equatable {
    public var eventID: String
    public var eventType: ExecutionEventType
    /// `data.job_type` when it is a string (R13: `accepted` events carry it).
    public var jobType: String?

    public init(eventID: String, eventType: ExecutionEventType, jobType: String?) {
        self.eventID = eventID
        self.eventType = eventType
        self.jobType = jobType
    }
}
