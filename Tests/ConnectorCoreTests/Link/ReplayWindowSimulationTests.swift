import ConnectorCore
import Testing

/// R4, R7, R8 under load: 10k messages, acks in random cumulative chunks, late page reads, appends
/// during replay, and links cut mid-replay.
@Suite struct ReplayWindowSimulationTests {
    @Test(arguments: [
        (1, 256, 64, UInt64(1)), (7, 16, 4, 2), (100, 256, 64, 3), (1000, 256, 64, 4), (1000, 64, 128, 5),
    ])
    func tenThousandMessagesOneConnection(maxInflight: Int, pageSize: Int, maxBatch: Int, seed: UInt64) {
        let held = heldWithGaps(count: 10_000, gapPercent: 10, seed: seed)
        var simulation = ReplaySimulation(
            held: held, maxInflight: maxInflight, configuration: .init(pageSize: pageSize, maxBatch: maxBatch), seed: seed)
        simulation.connect()
        var appendsLeft = 0
        while simulation.step(appendsLeft: &appendsLeft) {}
        let sent = simulation.connections[0]
        #expect(sent == held, "every held seq exactly once, in order")
        #expect(simulation.cloudHighest == held.last)
        #expect(simulation.outbox.ackedSeq == held.last)
        #expect(simulation.cloudReceived.values.allSatisfy { $0 == 1 })
        #expect(simulation.peakBuffered <= 2 * pageSize)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func appendsDuringReplayFlowBehindTheBacklog(seed: UInt64) {
        let held = heldWithGaps(count: 5000, gapPercent: 5, seed: seed)
        var simulation = ReplaySimulation(held: held, maxInflight: 200, configuration: .init(pageSize: 128), seed: seed)
        simulation.connect()
        var appendsLeft = 3000
        while simulation.step(appendsLeft: &appendsLeft) {}
        #expect(simulation.connections[0] == simulation.outbox.held)
        #expect(simulation.outbox.held.count == held.count + 3000)
        #expect(simulation.cloudReceived.count == simulation.outbox.held.count)
    }

    /// A reconnect in the middle of a replay resends everything above the cloud's new ack, in
    /// order, with no duplicate on one connection and no gap but seqs the store does not hold.
    @Test(arguments: [(UInt64(21), 10), (22, 100), (23, 1000), (24, 1)])
    func reconnectsMidReplayResumeAboveTheNewAck(seed: UInt64, maxInflight: Int) {
        let held = heldWithGaps(count: 10_000, gapPercent: 10, seed: seed)
        var simulation = ReplaySimulation(held: held, maxInflight: maxInflight, configuration: .init(pageSize: 100), seed: seed)
        var cutGenerator = SeededGenerator(seed: seed ^ 0xC0FFEE)
        var appendsLeft = 2000
        var startAcks: [Int64] = []
        for _ in 0..<8 {
            startAcks.append(simulation.cloudHighest)
            simulation.connect()
            // Short enough that every cut lands mid-replay, even with a wide window.
            let steps = Int.random(in: 20...300, using: &cutGenerator)
            for _ in 0..<steps where simulation.step(appendsLeft: &appendsLeft) {}
            simulation.cut()
            if Bool.random(using: &cutGenerator) { simulation.cloudLosesItsUndurableTail() }
        }
        startAcks.append(simulation.cloudHighest)
        simulation.connect()
        while simulation.step(appendsLeft: &appendsLeft) {}

        for (index, sent) in simulation.connections.enumerated() {
            let expected = simulation.held(above: startAcks[index])
            #expect(Array(expected.prefix(sent.count)) == sent, "connection \(index) sent a prefix of the held seqs above its ack")
        }
        #expect(simulation.connections.last == simulation.held(above: startAcks.last ?? 0))
        #expect(Set(simulation.cloudReceived.keys) == Set(simulation.outbox.held), "the cloud holds every message")
        #expect(simulation.outbox.ackedSeq == simulation.outbox.held.last)
        #expect(simulation.deviceResends > 0, "cuts lost messages, so some were really resent")
        #expect(simulation.connections.dropLast().allSatisfy { !$0.isEmpty })
        #expect(simulation.peakBuffered <= 200)
        #expect(simulation.connections.count == 9)
    }

    /// R7 in the middle of a life: the device's store was wiped and the cloud is at K.
    @Test func wipedDeviceStoreContinuesAboveTheCloud() {
        var simulation = ReplaySimulation(held: [], maxInflight: 50, configuration: .init(), seed: 31)
        simulation.cloudHighest = 4000
        var actions: [ReplayAction<TestMessage>] = []
        simulation.connections.append([])
        actions = simulation.window.start(ackedSeq: 4000, lastAssignedSeq: 0, storeAckedSeq: 0, maxInflight: 50)
        #expect(actions.first == .advanceSequence(past: 4000, lastAssigned: 0))
        simulation.perform(actions)
        var appendsLeft = 500
        while simulation.step(appendsLeft: &appendsLeft) {}
        #expect(simulation.connections[0] == Array(4001...4500))
    }
}
