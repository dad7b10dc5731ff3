import Dispatch
import Foundation
import OutboxStore
import Synchronization

/// Watches the store's delivery cursor from a thread of its own (not the cooperative pool) and
/// records each instant `acked_seq` was seen to advance, for P3: a message's append→ack latency is
/// the first advance that covers its seq, minus the start of its append.
///
/// How it looks matters on a 2-core machine, so there are two ways:
/// - `.poll(period)`: read `acked_seq` (one indexed `SELECT` on a read connection, a few µs), then
///   sleep `period`. Costs almost no CPU; an advance is seen up to one period plus the kernel's
///   timer slack (~50 µs) late, so figures carry that much observation delay (about half of it on
///   average).
/// - `.spin`: read in a tight loop. Sees an advance within a few µs, but takes one of the two cores
///   away from the connector's and the cloud's threads, which slows what it measures.
/// Waking on inotify instead would be unreliable: SQLite writes the WAL (the event) before its fsync
/// and before it publishes the commit, so a reader woken by the write may still see the old value,
/// and nothing marks the moment the commit becomes visible.
final class AckObserver: Sendable {
    enum Mode: Sendable, Equatable {
        case poll(Duration)
        case spin
    }

    struct Advance: Sendable {
        var at: ContinuousClock.Instant
        var ackedSeq: Int64
    }

    struct Record: Sendable {
        var advances: [Advance]
        var reads: Int
        var seconds: Double
        /// Mean time between two reads.
        var readInterval: Double { reads > 1 ? seconds / Double(reads - 1) : 0 }
    }

    let mode: Mode
    private let store: OutboxStore
    private let stopFlag = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Record, BenchFailure>?>(nil)

    init(store: OutboxStore, mode: Mode) {
        self.store = store
        self.mode = mode
    }

    func start() {
        let thread = Thread { [self] in
            let result = observe()
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.name = "ack-observer"
        thread.start()
    }

    /// Stops the thread and returns what it saw.
    func stop() throws -> Record {
        stopFlag.store(true, ordering: .relaxed)
        finished.wait()
        return try outcome.withLock { $0! }.get()
    }

    private func observe() -> Result<Record, BenchFailure> {
        let reader: OutboxReader
        do {
            reader = try store.makeReader()
        } catch {
            return .failure(BenchFailure("ack observer: \(error)"))
        }
        var sleep = timespec()
        if case .poll(let period) = mode {
            let (seconds, attoseconds) = period.components
            sleep = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        }
        var advances: [Advance] = []
        advances.reserveCapacity(1 << 16)
        var last = Int64.min
        var reads = 0
        let start = Measure.now()
        while !stopFlag.load(ordering: .relaxed) {
            let acked: Int64
            do {
                acked = try reader.sequenceState().ackedSeq
            } catch {
                return .failure(BenchFailure("ack observer: \(error)"))
            }
            let now = Measure.now()
            reads += 1
            if acked > last {
                advances.append(Advance(at: now, ackedSeq: acked))
                last = acked
            }
            if mode != .spin {
                var left = timespec()
                nanosleep(&sleep, &left)
            }
        }
        return .success(Record(advances: advances, reads: reads, seconds: Measure.seconds(since: start)))
    }

    /// For each (start, seq), the seconds from start until the first advance covering seq; nil for a
    /// sample the record never saw acked.
    static func latencies(_ samples: [(start: ContinuousClock.Instant, seq: Int64)], _ record: Record) -> [Double?] {
        var index = 0
        let advances = record.advances
        return samples.map { sample in
            // Samples come in seq order, so the cursor only moves forward.
            while index < advances.count && advances[index].ackedSeq < sample.seq { index += 1 }
            guard index < advances.count else { return nil }
            return sample.start.duration(to: advances[index].at).seconds
        }
    }
}
