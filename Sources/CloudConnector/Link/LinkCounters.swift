/// What the link counts for `cloud-connector status`; `recorded` is the copy last written, so a
/// periodic flush writes only when something moved.
struct LinkCounters: Equatable {
    var messagesSent: Int64 = 0
    var messagesResent: Int64 = 0
    var acksReceived: Int64 = 0
    var reconnectsScheduled: Int64 = 0
    var invalidFrames: Int64 = 0
    var recorded: RecordedCounters = RecordedCounters()

    struct RecordedCounters: Equatable {
        var messagesSent: Int64 = 0
        var messagesResent: Int64 = 0
    }

    /// Only the counters that `link_status` shows.
    var shown: RecordedCounters { RecordedCounters(messagesSent: messagesSent, messagesResent: messagesResent) }
}
