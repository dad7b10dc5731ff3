import ConnectorCore
import Foundation
import ReferenceCloud
import SQLiteDB
import Testing

/// R5, R6 and durability: acks follow the commit, duplicates are acked and counted once.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StoreAndAckTests {
    private func rowExists(_ path: String, seq: Int64) throws -> Bool {
        let db = try Database(path: path, mode: .readOnly)
        return try db.int64("SELECT count(*) FROM messages WHERE device_id = ? AND seq = ?", [.text(deviceID), .integer(seq)]) == 1
    }

    @Test func eachAckFollowsTheDurableRow() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        for seq in Int64(1)...3 {
            peer.send(Frames.event(seq: seq))
            let ack = try #require(await peer.next(type: "ack"))
            #expect(ack.int("payload", "seq") == seq)
            #expect(try rowExists(harness.cloud.databasePath, seq: seq))
        }
        peer.connection.close()
        let (again, connectAck) = try await harness.connect(lastSeq: 3)
        #expect(connectAck?.int("acked_seq") == 3)
        again.connection.close()
        await harness.finish()
    }

    @Test func duplicatesBySeqAndByIDAreAckedAgainAndCountedOnce() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        for seq in Int64(1)...3 { peer.send(Frames.event(seq: seq)) }
        var acks: [Int64] = []
        while acks.last != 3, let ack = await peer.next(type: "ack") { acks.append(ack.int("payload", "seq") ?? -1) }
        peer.send(Frames.event(seq: 2))  // same seq, same id
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 3)
        peer.send(Frames.event(seq: 2, id: "other-id"))  // same seq, new id
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 3)
        peer.send(Frames.event(seq: 1, id: "msg-3"))  // same id as seq 3
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 3)
        let counts = try await harness.cloud.counts(deviceID: deviceID)
        #expect(counts.messages == 3)
        #expect(counts.duplicates == 3)
        #expect(counts.highestSeq == 3)
        #expect(counts.byType == ["execution_event": 3])
        #expect(acks == acks.sorted())
        peer.connection.close()
        await harness.finish()
    }

    @Test func aBurstIsStoredInOrderWithCumulativeMonotonicAcks() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        let total: Int64 = 500
        for seq in 1...total { peer.send(Frames.event(seq: seq)) }
        var acks: [Int64] = []
        while acks.last != total, let ack = await peer.next(type: "ack") { acks.append(ack.int("payload", "seq") ?? -1) }
        #expect(acks.last == total)
        #expect(acks == acks.sorted())
        #expect(acks.count <= Int(total))
        let messages = try await harness.cloud.messages(deviceID: deviceID)
        #expect(messages.map(\.seq) == Array(1...total))
        peer.connection.close()
        await harness.finish()
    }

    @Test func usageTotalsAddUp() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.send(Frames.usage(seq: 1, tokens: 10, cost: "0.0123"))
        peer.send(Frames.usage(seq: 2, tokens: 5, cost: "0.5"))
        peer.send(Frames.event(seq: 3))
        while let ack = await peer.next(type: "ack"), ack.int("payload", "seq") != 3 {}
        let usage = try await harness.cloud.usage(deviceID: deviceID)
        #expect(usage.reports == 2)
        #expect(usage.totalTokens == 15)
        #expect(usage.promptTokens == 2)
        #expect(usage.costMicros == 512_300)
        peer.connection.close()
        await harness.finish()
    }

    @Test func aRestartedCloudKeepsAckedSeqAndTokens() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.send(Frames.connect(token: token))
        _ = await peer.next(type: "connect_ack")
        for seq in Int64(1)...5 { peer.send(Frames.event(seq: seq)) }
        while let ack = await peer.next(type: "ack"), ack.int("payload", "seq") != 5 {}
        await harness.cloud.stop()
        let restarted = try await Harness.start(directory: harness.directory)
        let again = try await restarted.open(token: token)
        again.send(Frames.connect(token: token, lastSeq: 5))
        #expect(await again.next(type: "connect_ack")?.int("payload", "acked_seq") == 5)
        again.connection.close()
        await harness.loop.shutdown()
        await restarted.finish()
    }
}
