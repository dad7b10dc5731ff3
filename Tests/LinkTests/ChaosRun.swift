@_spi(Faults) import CloudConnector
import FaultProxy
import Foundation
import OutboxStore
import ReferenceCloud

/// One run of appends through a link that the proxy keeps cutting, and what each side ended with.
struct ChaosOutcome {
    var held: [(seq: Int64, id: String)]
    var cloud: [CloudMessage]
    var counts: DeviceCounts
    var backlog: Backlog
    var status: LinkStatusRecord?
    var cuts: Int
    /// Messages the cloud saw arrive out of seq order on one connection (R4).
    var orderViolations: [OrderViolation]

    /// Sessions that reached `connect_ack` after the first: failed attempts during a cut do not count.
    var reconnects: Int64 { max((status?.sessions ?? 0) - 1, 0) }
    /// Connection attempts after the first, successful or not.
    var attempts: Int64 { max((status?.connectAttempts ?? 0) - 1, 0) }

    /// Every cut is followed by a new attempt, and almost every one by a new session: a cut that
    /// lands on a handshake (or a token fetch) ends an attempt that never became a session, so a
    /// few in a hundred may not count as reconnects.
    var reconnectProblems: [String] {
        var problems: [String] = []
        if attempts < Int64(cuts) { problems.append("\(attempts) attempts after \(cuts) cuts") }
        let slack = Int64(max(3, cuts / 25))
        if reconnects < Int64(cuts) - slack { problems.append("\(reconnects) new sessions after \(cuts) cuts (allowed \(slack) fewer)") }
        return problems
    }
    var resent: Int64 { status?.messagesResent ?? 0 }

    /// Every held message exactly once on the cloud, with its id, and sent in seq order on every
    /// connection (R2, R4, R6). The cloud's store lists by seq, so order is judged on arrival.
    var deliveryProblems: [String] {
        var problems: [String] = []
        if cloud.count != held.count { problems.append("cloud holds \(cloud.count) messages, device appended \(held.count)") }
        if Set(cloud.map(\.seq)).count != cloud.count { problems.append("the cloud holds a seq twice") }
        if let first = orderViolations.first {
            problems.append("\(orderViolations.count) messages arrived out of seq order on their connection, first \(first)")
        }
        let cloudByID = Dictionary(cloud.map { ($0.seq, $0.id) }, uniquingKeysWith: { first, _ in first })
        let missing = held.filter { cloudByID[$0.seq] == nil }
        if !missing.isEmpty { problems.append("\(missing.count) seqs never reached the cloud, first \(missing[0].seq)") }
        let wrongID = held.filter { message in cloudByID[message.seq].map { $0 != message.id } ?? false }
        if !wrongID.isEmpty { problems.append("\(wrongID.count) seqs arrived under another id (R2)") }
        if counts.messages != held.count { problems.append("cloud counted \(counts.messages) messages") }
        return problems
    }
}

enum ChaosRun {
    /// Appends `messages` at about 1000/s while the proxy cuts every 50–500 ms (seeded), then lets the
    /// link settle and collects both sides.
    static func run(messages: Int, faults: LinkFaults = [], seed: UInt64 = 11) async throws -> ChaosOutcome {
        let harness = try await LinkHarness(proxied: true, heartbeatMS: 1_000)
        let proxy = harness.proxy!
        // Frames spend a moment in the proxy, as on a real network, so a cut catches some in flight.
        proxy.setLatency(.milliseconds(5), direction: .upstream)
        let connector = RunningConnector.start(await harness.settings(faults: faults), store: harness.store)
        do {
            try await eventually("the first session") { (try harness.linkStatus()?.sessions ?? 0) >= 1 }
            proxy.startCutSchedule(every: .milliseconds(50) ... .milliseconds(500), seed: seed)
            try await harness.append(count: messages, batch: 10, pause: .milliseconds(10))
            proxy.stopSchedule()
            let cuts = proxy.stats.cuts
            try await eventually(timeout: .seconds(180), "every message acked") {
                let backlog = try harness.backlog()
                return backlog.pending == 0 && backlog.ackedSeq == backlog.lastSeq
            }
            try await connector.stop()
            let outcome = ChaosOutcome(
                held: try harness.heldMessages(), cloud: try await harness.cloud.messages(deviceID: testDevice),
                counts: try await harness.cloud.counts(deviceID: testDevice), backlog: try harness.backlog(),
                status: try harness.linkStatus(), cuts: cuts,
                orderViolations: try await harness.cloud.reports(deviceID: testDevice).orderViolations)
            await harness.finish()
            return outcome
        } catch {
            try? await connector.stop()
            await harness.finish()
            throw error
        }
    }
}
