import ConnectorCore
import FaultProxy
import Foundation
import WebSocketTransport

/// What both runs share: the two processes, the load and its ledger, and the checks.
struct Rig {
    let options: CommonOptions
    let workspace: Workspace
    let http: HTTP
    var cloud: CloudServer
    var connector: ConnectorRun
    let cli: ConnectorCLI
    let ledger = Ledger()
    var device: DeviceAudit
    var cloudAudit: CloudAudit
    let names = Counter()
    var random: SplitMix64
    var violations: [Violation] = []
    /// Resends the connector reported (its link_status), summed over its runs.
    var connectorResends: Int64 = 0

    /// A rig in a fresh workspace, announced with what the run does, its seed and where its data
    /// lives; the workspace goes again if the rig cannot be made.
    static func make(_ options: CommonOptions, seed: UInt64, announcing run: String) throws -> Rig {
        let workspace = try Workspace.create()
        say("link torture: \(run), seed \(seed); data under \(workspace.root)")
        do {
            return try Rig(options: options, workspace: workspace, seed: seed, heartbeatMS: 1_000)
        } catch {
            workspace.remove()
            throw error
        }
    }

    init(options: CommonOptions, workspace: Workspace, seed: UInt64, heartbeatMS: Int) throws {
        self.options = options
        self.workspace = workspace
        http = try HTTP.start()
        let binaries = options.binaries
        for binary in [binaries.connector, binaries.cloud] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw TortureError(description: "\(binary) is not there: build it first (tools/crash-loop and tools/chaos do), or pass --bin-dir")
        }
        cloud = CloudServer(binary: binaries.cloud, workspace: workspace, heartbeatMS: heartbeatMS)
        connector = ConnectorRun(binary: binaries.connector, workspace: workspace, fault: options.expectedFault?.rawValue, cloudURL: "")
        cli = ConnectorCLI(binary: binaries.connector, workspace: workspace)
        device = DeviceAudit(directory: workspace.deviceData)
        cloudAudit = CloudAudit(http: http, api: "")
        random = SplitMix64(seed: seed)
        try workspace.writeHandlers()
        try workspace.writeConnectorConfig(reconnectBaseMS: 100, reconnectCapMS: 2_000)
    }

    mutating func startCloud() async throws {
        try await cloud.start()
        cloudAudit.api = cloud.apiURL
        let faults = options.cloudFaults
        if faults.trimmingCharacters(in: .whitespaces) != "{}" {
            let response = try await http.call(.post, cloud.apiURL + "/admin/faults", body: Array(faults.utf8))
            guard response.status == 200 else {
                throw TortureError(description: "the cloud refused --cloud-faults \(faults): \(response.status) \(response.bodyText)")
            }
        }
    }

    /// Starts the connector, after adding up the resends the previous (killed) run last reported.
    mutating func startConnector() async throws {
        if connector.starts > 0, let status = try? device.linkStatus() { connectorResends += status.messagesResent }
        try await connector.start()
    }

    func startLoad(cycle: Int) -> (StopFlag, Task<Void, Never>) {
        let stop = StopFlag()
        let load = Load(
            http: http, ledger: ledger,
            targets: LoadTargets(localAPI: connector.localAPI, token: connector.token, cloudAPI: cloud.apiURL, cli: cli),
            cycle: cycle, stop: stop, random: random.derived(UInt64(cycle) &* 7919), names: names)
        return (stop, Task { await load.run() })
    }

    mutating func add(_ found: [Violation]) { violations += found }

    /// A process that ended without being told to is a finding, not something to wait out: false
    /// (and a violation naming its exit and log) if either did.
    mutating func checkAlive() async -> Bool {
        var alive = true
        if connector.child?.hasExited == true, let status = await connector.kill() {
            add([Violation(kind: .process, message: "cloud-connector run ended by itself (\(status)); log: \(connector.logPath)")])
            alive = false
        }
        if cloud.child?.hasExited == true, let status = await cloud.kill() {
            add([Violation(kind: .process, message: "reference-cloud serve ended by itself (\(status)); logs in \(workspace.logs)")])
            alive = false
        }
        return alive
    }

    /// `outbox verify` as an operator would run it, beside the service: exit 0 or a violation.
    mutating func verify(cycle: Int?) async throws {
        let outcome = try await cli.run(["outbox", "verify", "--json"])
        guard outcome.status != .exited(0) else { return }
        let findings = (try? JSON.parse(outcome.stdout))?["findings"]?.arrayValue?.prefix(5)
            .map { "[\($0["check"]?.stringValue ?? "?")] \($0["message"]?.stringValue ?? "?")" }.joined(separator: "; ")
        add([Violation(kind: .verify, message: """
            \(cycle.map { "cycle \($0): " } ?? "")outbox verify \(outcome.status): \(findings ?? (outcome.stdout + outcome.stderr).prefix(500).description)
            """)])
    }

    /// Waits, with both sides up and the load stopped, until the device has nothing pending, the
    /// cloud's acked_seq is the device's last seq, and every accepted request has ended.
    mutating func drain(cycle: Int?) async throws -> Duration {
        let start = ContinuousClock.now
        let timeout = Duration.seconds(options.drainTimeout)
        var state = ""
        while ContinuousClock.now - start < timeout {
            guard await checkAlive() else { return ContinuousClock.now - start }
            add(try device.scan())
            let backlog = try device.backlog()
            let counts = try? await cloudAudit.counts()
            let running = device.running
            if backlog.pending == 0, backlog.ackedSeq == backlog.lastSeq, counts?.ackedSeq == backlog.lastSeq, running.isEmpty {
                return ContinuousClock.now - start
            }
            state = """
                device pending \(backlog.pending), acked \(backlog.ackedSeq) of last seq \(backlog.lastSeq); cloud acked \
                \(counts.map { String($0.ackedSeq) } ?? "unknown"); running requests \(running.prefix(5))
                """
            try await Task.sleep(for: .milliseconds(100))
        }
        add([Violation(kind: .drain, message: "\(cycle.map { "cycle \($0): " } ?? "")not drained within \(options.drainTimeout) s: \(state)")])
        return ContinuousClock.now - start
    }

    /// After a drain: R13, no jump or rewind, and the cloud counting exactly what the device holds.
    /// A count that differs is explained at once by the full comparison, naming ids and seqs (unless
    /// the caller runs that comparison next anyway).
    mutating func checkDrained(cycle: Int?, explainCounts: Bool = true) async throws {
        let label = cycle ?? 0
        add(try device.checkExecutions(cycle: label))
        add(try device.checkNoJumpOrRewind(cycle: label))
        let counts = try await cloudAudit.counts()
        if explainCounts, counts.messages != device.held {
            add(try await cloudAudit.fullCheck(
                device: try device.allMessages(), returned: await ledger.returned, counts: counts, cycle: cycle))
        }
    }

    /// The full comparison of both stores, message by message.
    mutating func finalCheck() async throws -> CloudAudit.Counts {
        let counts = try await cloudAudit.counts()
        add(try await cloudAudit.fullCheck(device: try device.allMessages(), returned: await ledger.returned, counts: counts, cycle: nil))
        return counts
    }

    /// Problems the load met that are not the system's fault but the driver's (a 400, say).
    mutating func collectLoadProblems() async {
        for problem in await ledger.takeProblems() { add([Violation(kind: .process, message: problem)]) }
    }

    /// SIGTERM to both, as systemd would stop them: each must exit 0 by itself.
    mutating func stopBoth() async {
        if let status = await connector.stop(), status != .exited(0) {
            add([Violation(kind: .process, message: "cloud-connector run answered SIGTERM with \(status); log: \(connector.logPath)")])
        }
        if let status = try? device.linkStatus() { connectorResends += status.messagesResent }
        if let status = await cloud.stop(), status != .exited(0) {
            add([Violation(kind: .process, message: "reference-cloud serve answered SIGTERM with \(status)")])
        }
        await http.shutdown()
    }
}
