import ArgumentParser
import Foundation

@main
struct LinkTorture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LinkTorture",
        abstract: "End-to-end torture runs of the real connector against the real reference cloud.",
        discussion: """
            Both runs start `reference-cloud serve` and `cloud-connector run` as child processes (from --bin-dir), put \
            them under load — usage reports POSTed to the connector's local API, `cloud-connector outbox append` child \
            processes, and execution_requests sent by the cloud to small shell handlers — and check, from both \
            stores: every append that returned is in the device store with its id and seq; seqs never repeat or go \
            back; `outbox verify` passes; with both sides up the backlog drains and the cloud then holds every \
            message exactly once; every accepted execution request ends with exactly one terminal event, and one that \
            a connector SIGKILL interrupted ends failed/interrupted (R13).

            Data goes under a fresh temporary directory, kept (and printed) when the run fails and removed when it \
            passes. Every child runs under `setpriv --pdeathsig KILL`, so none outlives the driver.

            Exit 0: clean (or, with --expect-failure-with, the expected violation was found). Exit 1: a violation, \
            each named with its id, seq and cycle.

            Usually run through tools/crash-loop and tools/chaos, which build first.
            """,
        subcommands: [CrashLoopCommand.self, ChaosCommand.self])
}

/// Progress lines go out at once, also when stdout is a pipe.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The end of either run: the verdict, the summaries, the data directory kept or removed.
func finish(_ rig: inout Rig, _ summary: inout Summary, options: CommonOptions) -> Int32 {
    summary.violations = rig.violations
    let passed: Bool
    var verdict: String
    if let fault = options.expectedFault {
        if let match = rig.violations.first(where: { fault.expectedKinds.contains($0.kind) }) {
            passed = true
            verdict = "negative control passed: with the connector fault \(fault.rawValue) the run failed, as it must: \(match)"
        } else {
            passed = false
            verdict = """
                negative control FAILED: with the connector fault \(fault.rawValue) the checks found no \
                \(fault.expectedKinds.map(\.rawValue).sorted().joined(separator: " or ")) violation, so they could not catch that break
                """
            if let other = rig.violations.first { verdict += "; the run found instead: \(other)" }
        }
    } else {
        passed = rig.violations.isEmpty
        verdict = passed ? "CLEAN" : "FAILED: \(rig.violations[0])"
    }
    let keep = !passed || options.keep
    summary.dataDirectory = keep ? rig.workspace.root : nil
    say(summary.human)
    say(summary.json)
    if keep {
        verdict += "\ndata kept at \(rig.workspace.root) (logs/ holds every process's output)"
    } else {
        rig.workspace.remove()
    }
    say(verdict)
    return passed ? 0 : 1
}
