import ConnectorCore
import ArgumentParser
import Foundation

/// Which process a cycle kills.
enum KillTarget: String, ExpressibleByArgument, CaseIterable, Sendable {
    case connector, cloud, both

    func pick(_ random: inout SplitMix64) -> KillTarget {
        self == .both ? (Bool.random(using: &random) ? .connector : .cloud) : self
    }
}

struct CrashLoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-loop",
        abstract: "SIGKILL the connector or the cloud at random moments under load, N times, checking after each.",
        discussion: """
            Each cycle starts the load, waits a random time in [--min-ms, --max-ms], SIGKILLs the connector or the \
            cloud (--kill; `both` picks one at random per cycle), stops the load, restarts what it killed, and checks: \
            every append that returned in this cycle is in the device store at its seq with its id; no seq was handed \
            out twice or went back; `outbox verify` exits 0; a cloud back from SIGKILL still acks all it acked before. \
            Then it drains (both up, until nothing is pending and the cloud's acked_seq is the device's last seq) and \
            checks that the cloud counts exactly the messages the device holds and that every accepted request ended \
            once — every cycle, so a violation is named with the cycle it happened in. After the last cycle both stores \
            are compared message by message.

            Examples:
              LinkTorture crash-loop 50
              LinkTorture crash-loop 25 --kill connector --expect-failure-with returnBeforeCommit
            """)

    @Argument(help: "How many kill cycles.")
    var cycles = 20

    @Option(help: "What each cycle kills: connector, cloud, or both (one of them, chosen at random per cycle).")
    var kill = KillTarget.both

    @Option(name: .customLong("min-ms"), help: "The shortest time the load runs before the kill.")
    var minMS = 300

    @Option(name: .customLong("max-ms"), help: "The longest time the load runs before the kill.")
    var maxMS = 2_500

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard cycles >= 1 else { throw ValidationError("the number of cycles must be at least 1") }
        guard minMS >= 10, maxMS >= minMS else { throw ValidationError("need 10 <= --min-ms <= --max-ms") }
    }

    func run() async throws {
        let seed = common.seed ?? UInt64.random(in: .min ... .max)
        var rig = try Rig.make(common, seed: seed, announcing: "crash loop, \(cycles) cycles killing \(kill.rawValue)")
        var summary = Summary(mode: "crash-loop", seed: seed)
        summary.cloudCheck = "every cycle, after draining"
        do {
            try await rig.startCloud()
            rig.connector.cloudURL = rig.cloud.webSocketURL
            try await rig.startConnector()
            var random = SplitMix64(seed: seed ^ 0x5EED_C1C1E)
            for cycle in 1...cycles {
                try await runCycle(cycle, &rig, &summary, &random)
                if !rig.violations.isEmpty { break }
            }
            // After a violation the run stops where it found it; the full comparison would mostly repeat it.
            let counts = rig.violations.isEmpty ? try await rig.finalCheck() : try await rig.cloudAudit.counts()
            summary.cloudMessages = counts.messages
            summary.cloudDuplicates = counts.duplicates
        } catch {
            rig.add([Violation(kind: .process, message: "\(error)")])
        }
        await rig.stopBoth()
        await fill(&summary, from: rig)
        let status = finish(&rig, &summary, options: common)
        if status != 0 { throw ExitCode(status) }
    }

    private func runCycle(_ cycle: Int, _ rig: inout Rig, _ summary: inout Summary, _ random: inout SplitMix64) async throws {
        let (stop, load) = rig.startLoad(cycle: cycle)
        let delay = random.milliseconds(minMS...maxMS)
        try await Task.sleep(for: delay)
        guard await rig.checkAlive() else {
            stop.stop()
            await load.value
            return
        }
        let target = kill.pick(&random)
        var ackedAtKill: Int64 = 0
        if target == .connector {
            _ = await rig.connector.kill()
            summary.connectorKills += 1
            try rig.device.noteConnectorKill(cycle: cycle)
        } else {
            _ = await rig.cloud.kill()
            summary.cloudKills += 1
            // Nothing can be acked while the cloud is down: this is all the cloud has promised.
            ackedAtKill = try rig.device.backlog().ackedSeq
        }
        stop.stop()
        await load.value
        await rig.collectLoadProblems()
        if target == .connector {
            try await rig.startConnector()
        } else {
            try await rig.startCloud()
            let counts = try await rig.cloudAudit.counts()
            if counts.ackedSeq < ackedAtKill {
                rig.add([Violation(kind: .cloudLoss, message: """
                    cycle \(cycle): the cloud came back from SIGKILL with acked_seq \(counts.ackedSeq), below the \(ackedAtKill) \
                    it had acked: it acked messages it had not stored durably (R5)
                    """)])
            }
        }
        let returned = await rig.ledger.returned(inCycle: cycle)
        rig.add(try rig.device.checkReturned(returned, cycle: cycle))
        try await rig.verify(cycle: cycle)
        let drained = try await rig.drain(cycle: cycle)
        summary.slowestDrain = max(summary.slowestDrain, drained)
        try await rig.checkDrained(cycle: cycle)
        let verdict = rig.violations.isEmpty ? "clean" : "\(rig.violations.count) violation(s)"
        say("""
            cycle \(cycle)/\(cycles): SIGKILL \(target.rawValue) after \(Summary.seconds(delay)); \(returned.count) appends \
            returned; drained in \(Summary.seconds(drained)), \(rig.device.held) messages held; \(verdict)
            """)
    }
}

/// The figures both runs report, read once the processes stopped.
func fill(_ summary: inout Summary, from rig: Rig) async {
    summary.returned = await rig.ledger.returned
    summary.tallies = await rig.ledger.tallies
    summary.heldMessages = rig.device.held
    summary.lastSeq = (try? rig.device.backlog().lastSeq) ?? 0
    summary.connectorResends = rig.connectorResends
    summary.executionsAccepted = rig.device.executions.values.filter { !$0.accepted.isEmpty }.count
    summary.executionsInterrupted = rig.device.interrupted.count
    summary.cycles = max(summary.cycles, summary.connectorKills + summary.cloudKills)
}
