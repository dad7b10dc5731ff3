import Foundation

/// `cloud-connector run` as a child process, restarted after each SIGKILL on the same data directory.
struct ConnectorRun {
    let binary: String
    let workspace: Workspace
    /// `CLOUD_CONNECTOR_TEST_FAULTS` for the negative controls (honoured by debug builds only).
    let fault: String?
    var cloudURL: String
    private(set) var child: ChildProcess?
    private(set) var starts = 0
    /// `http://127.0.0.1:PORT` of the current run's local API, read from its log.
    private(set) var localAPI = ""
    private(set) var token = ""

    init(binary: String, workspace: Workspace, fault: String?, cloudURL: String) {
        self.binary = binary
        self.workspace = workspace
        self.fault = fault
        self.cloudURL = cloudURL
    }

    var logPath: String { "\(workspace.logs)/connector-\(starts).log" }

    mutating func start() async throws {
        starts += 1
        var environment = ConnectorCLI(binary: binary, workspace: workspace).environment
        environment["CLOUD_WS_URL"] = cloudURL
        environment["LOG_LEVEL"] = "notice"
        if let fault { environment["CLOUD_CONNECTOR_TEST_FAULTS"] = fault }
        let log = logPath
        let child = try await Spawner.shared.spawn(SpawnRequest(
            name: "cloud-connector run", executable: binary, arguments: ["run", "--shutdown-grace", "2s"],
            environment: environment, stdoutPath: log, stderrPath: log))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let url = text.split(separator: "\n").lazy.filter { $0.contains("local API listening") }
                .compactMap { line in line.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression).map { String(line[$0]) } }
                .first
            if let url {
                if let fault, !text.contains("test fault active") {
                    _ = await child.killNow()
                    throw TortureError(description: """
                        the connector did not honour CLOUD_CONNECTOR_TEST_FAULTS=\(fault): only debug builds do \
                        (tools/crash-loop and tools/chaos build debug unless given --release). Its log: \(log)
                        """)
                }
                localAPI = url
                token = try String(contentsOfFile: workspace.deviceData + "/local_token", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                self.child = child
                return
            }
            if child.hasExited { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let status = child.hasExited ? "\(await child.exitStatus())" : "no \"local API listening\" line within 60 s"
        _ = await child.killNow()
        throw TortureError(description: "cloud-connector run did not start: \(status)\n\(workspace.tail(log))")
    }

    mutating func kill() async -> ExitStatus? {
        defer { child = nil }
        return await child?.killNow()
    }

    /// SIGTERM, as systemd stops it: it must end by itself (exit 0) well within the grace.
    mutating func stop() async -> ExitStatus? {
        defer { child = nil }
        return await child?.terminate(grace: .seconds(20))
    }
}
