/// `execution_event.event_type` (PROTOCOL §4).
public enum ExecutionEventType: String, Sendable, CaseIterable {
    case accepted, started, progress, completed, failed, cancelled

    /// Every accepted request ends with exactly one of these (R13).
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        case .accepted, .started, .progress: false
        }
    }
}
