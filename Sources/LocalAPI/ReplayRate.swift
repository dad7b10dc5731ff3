import Synchronization

/// `cloud_connector_replay_rate_messages_per_second`: how fast the cloud is acking, from two samples
/// of the acked-message count, the previous scrape's and this one's. Computed at scrape time because
/// the acks are recorded by the link service (possibly another process): the store is the only
/// place that sees them all.
///
/// The first scrape has nothing to compare with and reports 0. A scrape less than `minimumWindowMS`
/// after the sample in use (two scrapers, or a curl between Prometheus scrapes) reports the last
/// rate again and keeps that sample, so a short window does not turn one ack batch into a spike.
/// When the wall clock goes back, the window restarts. Fewer acked messages than before (the cloud
/// lost data and the delivery cursor went back, R7) count as no progress, not as a negative rate.
final class ReplayRate: Sendable {
    static let minimumWindowMS: Int64 = 1_000

    private struct Sample {
        let atMS: Int64
        let acked: Int64
    }

    private struct State {
        var sample: Sample?
        var rate: Double = 0
    }

    private let state = Mutex(State())

    /// Records this scrape's sample and returns acked messages per second.
    func update(atMS: Int64, ackedMessages: Int64) -> Double {
        state.withLock { state in
            let now = Sample(atMS: atMS, acked: ackedMessages)
            guard let previous = state.sample, atMS >= previous.atMS else {
                state.sample = now
                return state.rate
            }
            let elapsedMS = atMS - previous.atMS
            guard elapsedMS >= Self.minimumWindowMS else { return state.rate }
            state.rate = Double(max(ackedMessages - previous.acked, 0)) * 1_000 / Double(elapsedMS)
            state.sample = now
            return state.rate
        }
    }
}
