/// A broken delivery property, with the message that names it: which id or seq, which cycle.
struct Violation: Sendable, CustomStringConvertible {
    enum Kind: String, Sendable, CaseIterable {
        /// An append that returned is not in the device store (R1).
        case deviceLoss = "device_loss"
        /// A seq was handed out twice, or went backwards (§2).
        case seqReuse = "seq_reuse"
        /// A message the device holds (or an append that returned) never reached the cloud.
        case cloudLoss = "cloud_loss"
        /// The cloud (or the device) holds one message, or one report_id/event_id, twice (R2, R6).
        case doubleCount = "double_count"
        /// `cloud-connector outbox verify` did not exit 0.
        case verify
        /// An accepted execution_request did not end with exactly one terminal event (R13).
        case r13
        /// The backlog did not drain with both sides up.
        case drain
        /// A process could not be started or stopped as expected.
        case process
    }

    let kind: Kind
    let message: String
    /// How many messages it covers (a run of consecutive missing seqs is one violation).
    var messages = 1

    var description: String { "[\(kind.rawValue)] \(message)" }
}

/// What counts where in the summaries.
extension Array where Element == Violation {
    func count(_ kinds: Violation.Kind...) -> Int { filter { kinds.contains($0.kind) }.map(\.messages).reduce(0, +) }
    var losses: Int { count(.deviceLoss, .cloudLoss) }
    var doubleCounts: Int { count(.doubleCount, .seqReuse) }
}
