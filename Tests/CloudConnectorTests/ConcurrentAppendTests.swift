import ConnectorCore
import Foundation
import OutboxStore
import Synchronization
import Testing

@Suite("CLI appenders beside an open store (real processes)")
struct ConcurrentAppendTests {
    @Test("two appending processes beside an appending OutboxStore: seqs 1...N, no gap, no duplicate, verify clean")
    func concurrentAppenders() async throws {
        let fixture = Fixture()
        let store = try fixture.openStore()
        let perProcess = 50
        let minimumLocal = 50
        let chainsDone = Counter()

        // Each chain runs its appends one process after another, on its own thread: the two chains
        // and the in-process producer all contend for the write lock at once.
        func chain(_ name: String) async throws -> [Int64] {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    do {
                        var seqs: [Int64] = []
                        for index in 0..<perProcess {
                            let payload = Payloads.progress("req-\(name)", event: "ev-\(name)-\(index)", fraction: "0.5", message: "cli \(name) \(index)", at: "2026-11-24T10:00:00Z")
                            seqs.append(try fixture.append("execution_event", payload))
                        }
                        chainsDone.value.withLock { $0 += 1 }
                        continuation.resume(returning: seqs)
                    } catch {
                        chainsDone.value.withLock { $0 += 1 }
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
        async let first = chain("a")
        async let second = chain("b")
        // The test process keeps appending for as long as the CLI processes do.
        var local: [Int64] = []
        while chainsDone.value.withLock({ $0 }) < 2 || local.count < minimumLocal {
            let index = local.count
            let payload = try JSON.parse(Payloads.progress("req-local", event: "ev-local-\(index)", fraction: "0.25", message: "local \(index)", at: "2026-11-24T10:00:00Z"))
            local.append(try await store.append(MessageDraft(type: .executionEvent, payload: payload)).seq)
            try await Task.sleep(for: .milliseconds(2))
        }
        let seqsA = try await first
        let seqsB = try await second
        store.close()

        let total = perProcess * 2 + local.count
        let all = seqsA + seqsB + local
        #expect(Set(all).count == total, "no seq handed out twice")
        #expect(all.sorted() == (1...Int64(total)).map { $0 }, "no gap")
        #expect(seqsA == seqsA.sorted() && seqsB == seqsB.sorted() && local == local.sorted())
        // The producers really overlapped: each one's seqs interleave with the others'.
        for seqs in [seqsA, seqsB] {
            #expect(local.contains { $0 > seqs.first! && $0 < seqs.last! })
        }
        #expect(seqsA.contains { $0 > seqsB.first! && $0 < seqsB.last! })

        let listed = try fixture.run("outbox", "inspect", "--json", "--limit", "1000")
        let held = try listed.stdoutLines.map { try JSON.parse($0)["seq"]?.int ?? -1 }
        #expect(held == (1...Int64(total)).map { $0 })
        let verify = try fixture.run("outbox", "verify")
        #expect(verify.status == 0, "\(verify)")
        #expect(try fixture.json("timeline", "req-a")["event_count"]?.int == Int64(perProcess))
    }
}

final class Counter: Sendable {
    let value = Mutex(0)
}
