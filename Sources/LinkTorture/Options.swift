import ArgumentParser
import Foundation

/// The options both runs take.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .customLong("bin-dir"),
        help: ArgumentHelp(
            "Where cloud-connector and reference-cloud are (`swift build --show-bin-path`). Default: this executable's directory.",
            valueName: "path"))
    var binDirectory: String?

    @Option(help: "Seeds every random choice (kill moments and targets, faults, the load's mix); printed by every run. Default: random.")
    var seed: UInt64?

    @Option(
        name: .customLong("expect-failure-with"),
        help: ArgumentHelp(
            """
            Negative control: run the connector with this test fault (returnBeforeCommit: an append returns before \
            its commit, so a connector SIGKILL loses it: use with crash-loop --kill connector; skipResend: after a \
            reconnect, messages in flight are not resent) and pass only if the run then FAILS with the violation \
            that fault causes. The run stops at the end of the first cycle with a violation. Debug builds only.
            """, valueName: "fault"))
    var expectedFault: ConnectorFault?

    @Option(
        name: .customLong("cloud-faults"),
        help: ArgumentHelp(
            """
            A JSON object POSTed to the reference cloud's /admin/faults after each of its starts (its fault modes, see \
            Sources/ReferenceCloud/FaultsJSON.swift). The default delays each ack 20 ms after its commit, so kills and \
            cuts find messages the cloud stored but did not ack yet: the device must learn from connect_ack that \
            they arrived, and whatever it sends again must be re-acked, never counted twice (R6). `{}` turns that off.
            """, valueName: "json"))
    var cloudFaults = #"{"ack_delay_ms": 20}"#

    @Option(name: .customLong("drain-timeout"), help: "Seconds the backlog may take to drain with both sides up before that counts as a failure.")
    var drainTimeout: Int = 120

    @Flag(help: "Keep the data directory even when the run passes.")
    var keep = false

    func validate() throws {
        guard drainTimeout > 0 else { throw ValidationError("--drain-timeout must be a positive number of seconds") }
    }

    var binaries: (connector: String, cloud: String) {
        let folder = binDirectory ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        return (folder + "/cloud-connector", folder + "/reference-cloud")
    }
}

/// The connector test faults a negative control can switch on, and the violation each must cause.
enum ConnectorFault: String, ExpressibleByArgument, CaseIterable, Sendable {
    case returnBeforeCommit
    case skipResend

    var expectedKinds: Set<Violation.Kind> {
        switch self {
        case .returnBeforeCommit: [.deviceLoss, .seqReuse]
        case .skipResend: [.cloudLoss]
        }
    }
}
