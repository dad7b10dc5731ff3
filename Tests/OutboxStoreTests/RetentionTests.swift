import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import LZ4Codec
import Testing

@Suite("Retention: pruning acked messages")
struct RetentionTests {
    @Test("prune removes only acked messages past retention, keeps totals and timelines, never reuses a seq")
    func pruneKeepsProjections() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try openStore(directory, clock: clock)
        defer { store.close() }
        var generator = traffic(seed: 21)
        var old: [AppendedMessage] = []
        while old.count < 300 { old += try await store.append(generator.execution()) }
        // An execution that straddles the prune: its first events are old, the rest recent.
        let straddling = generator.execution()
        old += try await store.append(Array(straddling.prefix(2)))
        _ = try await store.acknowledge(through: old.last!.seq)
        clock.advance(byMS: OutboxStore.defaultRetentionMS + 60_000)
        var recent: [AppendedMessage] = try await store.append(Array(straddling.dropFirst(2)))
        for _ in 0..<20 { recent += try await store.append(generator.execution()) }
        _ = try await store.acknowledge(through: recent[recent.count / 2].seq)

        let before = try ProjectionTests.dumpProjections(store.path)
        let archive = directory.path + "/archive"
        let report = try store.prune(archiveDirectory: archive)
        #expect(report.messages == Int64(old.count))
        #expect(report.prunedThrough == old.last!.seq)
        #expect(try ProjectionTests.dumpProjections(store.path) == before)
        #expect(try store.rebuildProjections().differences == 0)
        let reader = try store.makeReader()
        #expect(try reader.verify().isClean)
        // Recent and unacked messages stay.
        #expect(try reader.inspect(InspectFilter(), after: 0).first?.seq == recent.first?.seq)
        let timeline = try #require(try reader.timeline(requestID: straddling[0].payload["request_id"]!.stringValue!))
        #expect(timeline.retiredEvents == 2)
        #expect(timeline.summary.eventCount == Int64(straddling.filter { $0.type == .executionEvent }.count))
        // A new append continues above every seq ever assigned.
        let next = try await store.append(generator.next())
        #expect(next.seq == recent.last!.seq + 1)

        // The archive is a standard LZ4 frame of JSON lines: the stock tool reads it.
        let path = try #require(report.archivePath)
        let lines = try Self.lz4Decompress(path).split(separator: "\n")
        #expect(lines.count == old.count)
        let first = try JSON.parse(String(lines[0]))
        #expect(first["seq"]?.numberValue?.int64 == old[0].seq)
        #expect(first["id"]?.stringValue == old[0].id.description)
    }

    @Test("prune stops at the first message that must stay")
    func pruneIsAPrefix() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try openStore(directory, clock: clock)
        defer { store.close() }
        var generator = traffic(seed: 5)
        let a = try await store.append(generator.next())
        clock.advance(byMS: OutboxStore.defaultRetentionMS)
        let b = try await store.append(generator.next())
        clock.advance(byMS: 1)
        _ = try await store.acknowledge(through: b.seq)
        let report = try store.prune()
        #expect(report.messages == 1 && report.prunedThrough == a.seq)
        #expect(try store.prune().messages == 0)
    }

    static func lz4Decompress(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
        process.arguments = ["-d", "-c", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Size bound: progress dropped first, metering never")
struct SizeBoundTests {
    @Test("at the bound, acked messages go first, then unacked progress oldest first, then appends fail typed")
    func dropOrder() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory) { $0.maxOutboxBytes = 40_000 }
        defer { store.close() }
        var generator = traffic(seed: 9)
        var progress: [AppendedMessage] = []
        for _ in 0..<40 { progress.append(try await store.append(generator.progressEvent(approximateBytes: 300))) }
        var kept: [AppendedMessage] = []
        var full: OutboxError?
        for index in 0..<400 {
            let draft = Drafts.usage("req-\(index)", tokens: Int64(100 + index))
            do {
                kept.append(try await store.append(draft))
            } catch let error as OutboxError {
                full = error
                break
            }
        }
        guard case .outboxFull? = full else {
            Issue.record("expected outboxFull, got \(String(describing: full))")
            return
        }
        #expect("\(full!)".contains("Nothing was written"))
        let reader = try store.makeReader()
        var everything = InspectFilter()
        everything.limit = 100_000
        let held = try reader.inspect(everything, after: 0).count
        #expect(held == kept.count, "every usage report is still held; every progress event was dropped")
        #expect(try reader.db.int64("SELECT count(*) FROM dropped_messages") == Int64(progress.count))
        #expect(try reader.verify().isClean)
        #expect(try reader.meteringTotals(fromDay: "2026-01-01", toDay: "2027-01-01", groupBy: []).first?.reports == Int64(kept.count))

        // Once the cloud acks, the acked messages make room (their totals stay).
        _ = try await store.acknowledge(through: kept.last!.seq)
        _ = try await store.append(Drafts.usage("req-after"))
        #expect(try reader.meteringTotals(fromDay: "2026-01-01", toDay: "2027-01-01", groupBy: []).first?.reports == Int64(kept.count + 1))
        #expect(try reader.verify().isClean)
    }
}

@Suite("Order, acks and resume (R4, R7)")
struct OrderTests {
    /// Reads all pending messages page by page and reports whether they came in strictly increasing
    /// seq order with no page larger than asked.
    static func pendingInOrder(faults: OutboxFaults) async throws -> Bool {
        let directory = TemporaryDirectory()
        let store = try openStore(directory, faults: faults)
        defer { store.close() }
        var generator = traffic(seed: 13)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<8 {
                var local = traffic(seed: UInt64(100 + producer))
                group.addTask {
                    var last: Int64 = 0
                    for _ in 0..<50 {
                        let seq = try await store.append(local.next()).seq
                        #expect(seq > last)
                        last = seq
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await store.append(generator.next())
        _ = try await store.acknowledge(through: 37)
        let reader = try store.makeReader()
        var seqs: [Int64] = []
        var cursor: Int64 = 0
        while true {
            let page = try reader.pendingPage(after: cursor, limit: 25)
            if page.isEmpty { break }
            if page.count > 25 { return false }
            seqs += page.map(\.seq)
            cursor = page.last!.seq
        }
        return seqs == Array(38...401)
    }

    @Test("pending messages are read in seq order, in bounded pages, above the ack")
    func pendingOrder() async throws {
        #expect(try await Self.pendingInOrder(faults: []))
    }

    @Test("negative control: reading newest first breaks the order check")
    func pendingOrderNegativeControl() async throws {
        #expect(try await !Self.pendingInOrder(faults: .pendingOutOfOrder))
    }

    @Test("acks are cumulative; lower and repeated acks are ignored")
    func acksCumulative() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var generator = traffic()
        for _ in 0..<10 { _ = try await store.append(generator.next()) }
        #expect(try await store.acknowledge(through: 6).advanced)
        let lower = try await store.acknowledge(through: 4)
        #expect(!lower.advanced && lower.ackedSeq == 6)
        #expect(try await !store.acknowledge(through: 6).advanced)
        #expect(try store.makeReader().sequenceState().ackedSeq == 6)
    }

    @Test("R7: a cloud ahead of the store moves the next seq past its ack, recorded for verify")
    func cloudAheadOfStore() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var generator = traffic()
        let held = try await store.append(generator.next())
        let outcome = try await store.acknowledge(through: 1_000)
        #expect(outcome.jumpedFrom == 1)
        // The unacked message held under seq 1 moved past the ack with its id (SequenceJumpTests).
        #expect(try store.makeReader().pendingPage(after: 0, limit: 10).map(\.id) == [held.id])
        #expect(try await store.append(generator.next()).seq == 1_002)
        let reader = try store.makeReader()
        #expect(try reader.verify().isClean)
        #expect(try reader.stats().seqJumps == 1)
    }
}
