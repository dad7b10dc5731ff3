@_spi(Faults) import CloudConnector
import Foundation
import Testing

extension LinkSuites {
    @Suite("Replay through a link cut every 50–500 ms", .timeLimit(.minutes(6)))
    struct ChaosReplayTests {
        @Test("10k appends: the cloud ends with every one exactly once, in order; acked_seq = last seq")
        func tenThousandThroughCuts() async throws {
            let outcome = try await ChaosRun.run(messages: 10_000)
            print("chaos: cuts \(outcome.cuts) attempts \(outcome.attempts) reconnects \(outcome.reconnects) resent \(outcome.resent) dups \(outcome.counts.duplicates)")
            #expect(outcome.deliveryProblems.isEmpty, "\(outcome.deliveryProblems)")
            #expect(outcome.backlog.ackedSeq == outcome.backlog.lastSeq)
            #expect(outcome.backlog.lastSeq == 10_000)
            #expect(outcome.cuts >= 10, "the schedule should have cut the link many times, cut \(outcome.cuts)")
            #expect(outcome.reconnectProblems.isEmpty, "\(outcome.reconnectProblems)")
            #expect(outcome.resent > 0, "a cut with messages in flight must lead to resends")
        }

        /// Negative control: a connector that resumes above what it already sent, instead of above the
        /// cloud's acked_seq, loses what a cut caught in flight, and the checks above see it.
        @Test("negative control: resuming above the last sent seq loses messages")
        func fireAndForgetLosesMessages() async throws {
            let outcome = try await ChaosRun.run(messages: 3_000, faults: .skipResend, seed: 12)
            print("control: \(outcome.deliveryProblems)")
            #expect(!outcome.deliveryProblems.isEmpty, "cuts: \(outcome.cuts), resent: \(outcome.resent)")
        }

        /// Negative control for "in order": the cloud stores by seq whatever the arrival order, so
        /// order is judged as the messages arrive on each connection.
        @Test("negative control: batches sent in reverse seq order are caught as out of order (R4)")
        func reversedBatchesAreCaught() async throws {
            let outcome = try await ChaosRun.run(messages: 1_000, faults: .reverseBatches, seed: 13)
            #expect(!outcome.orderViolations.isEmpty)
            #expect(outcome.deliveryProblems.contains { $0.contains("out of seq order") }, "\(outcome.deliveryProblems)")
        }
    }
}

extension LinkSuites {
    /// `tools/soak`: the same run with 100k messages (LINK_SOAK_MESSAGES), skipped unless asked for.
    @Suite("Soak: replay through cuts at scale", .timeLimit(.minutes(30)))
    struct ChaosSoakTests {
        static let messages = ProcessInfo.processInfo.environment["LINK_SOAK_MESSAGES"].flatMap(Int.init)

        @Test("LINK_SOAK_MESSAGES appends through cuts: all delivered once, in order", .enabled(if: messages != nil))
        func soak() async throws {
            let count = try #require(Self.messages)
            let outcome = try await ChaosRun.run(messages: count, seed: 2026)
            print("soak: \(count) messages, cuts \(outcome.cuts) attempts \(outcome.attempts) reconnects \(outcome.reconnects) resent \(outcome.resent)")
            #expect(outcome.deliveryProblems.isEmpty, "\(outcome.deliveryProblems)")
            #expect(outcome.backlog.ackedSeq == outcome.backlog.lastSeq)
            #expect(outcome.backlog.lastSeq == Int64(count))
            #expect(outcome.cuts >= 10, "the schedule should have cut the link many times, cut \(outcome.cuts)")
            #expect(outcome.reconnectProblems.isEmpty, "\(outcome.reconnectProblems)")
            #expect(outcome.resent > 0)
        }
    }
}
