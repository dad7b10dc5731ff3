import Foundation

/// The reference cloud as a child process (`reference-cloud serve`), restartable on the same port
/// with the same data directory, so a restart looks to the connector like the cloud coming back.
struct CloudServer {
    let binary: String
    let workspace: Workspace
    let heartbeatMS: Int
    private(set) var port = 0
    private(set) var child: ChildProcess?
    private(set) var starts = 0

    init(binary: String, workspace: Workspace, heartbeatMS: Int) {
        self.binary = binary
        self.workspace = workspace
        self.heartbeatMS = heartbeatMS
    }

    var apiURL: String { "http://127.0.0.1:\(port)" }
    var webSocketURL: String { "ws://127.0.0.1:\(port)/ws" }

    /// Starts it (on a port the OS picks the first time, on that same port afterwards) and waits for
    /// the URLs it prints once it listens.
    mutating func start() async throws {
        // Right after a SIGKILL the port is normally free at once; retry a little in case it is not.
        var lastError = ""
        for attempt in 1...20 {
            starts += 1
            let out = "\(workspace.logs)/cloud-\(starts).out"
            let err = "\(workspace.logs)/cloud-\(starts).log"
            let child = try await Spawner.shared.spawn(SpawnRequest(
                name: "reference-cloud", executable: binary,
                arguments: [
                    "serve", "--data-dir", workspace.cloudData, "--port", String(port), "--heartbeat-ms", String(heartbeatMS),
                    "--log-level", "notice",
                ],
                environment: ["PATH": "/usr/bin:/bin", "HOME": workspace.home], stdoutPath: out, stderrPath: err))
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let lines = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n")
                if lines.count >= 2, let url = URLComponents(string: String(lines[0])), let bound = url.port {
                    port = bound
                    self.child = child
                    return
                }
                if child.hasExited { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let status = child.hasExited ? "\(await child.exitStatus())" : "no URL within 30 s"
            _ = await child.killNow()
            lastError = "reference-cloud serve (attempt \(attempt)) did not start: \(status)\n\(workspace.tail(err))"
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TortureError(description: lastError)
    }

    mutating func kill() async -> ExitStatus? {
        defer { child = nil }
        return await child?.killNow()
    }

    mutating func stop() async -> ExitStatus? {
        defer { child = nil }
        return await child?.terminate(grace: .seconds(10))
    }
}
