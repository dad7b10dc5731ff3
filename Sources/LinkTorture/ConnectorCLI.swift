import Foundation

/// Who the device is in every run.
enum Device {
    static let id = "torture-device"
    static let tenant = "torture-tenant"
}

/// One-shot `cloud-connector` commands (`outbox append`, `outbox verify`) beside the service, as a
/// local caller would run them. Sendable: the load's appender and the checks both use it.
struct ConnectorCLI: Sendable {
    let binary: String
    let workspace: Workspace
    private let counter = Counter()

    init(binary: String, workspace: Workspace) {
        self.binary = binary
        self.workspace = workspace
    }

    var environment: [String: String] {
        [
            "PATH": "/usr/bin:/bin", "HOME": workspace.home, "DEVICE_ID": Device.id, "TENANT_ID": Device.tenant,
            "CLOUD_CONNECTOR_DATA_DIR": workspace.deviceData,
        ]
    }

    struct Outcome: Sendable {
        var status: ExitStatus
        var stdout: String
        var stderr: String
    }

    /// Runs `cloud-connector arguments…` to the end. Its output files are removed afterwards unless
    /// it failed, so a long run does not leave thousands of them. A command still running after
    /// `timeout` (far beyond what any takes: the store waits 15 s for a busy writer) is killed and
    /// reported, so a stuck child cannot hang the run and with it `tools/test`.
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Outcome {
        let number = counter.next()
        let base = "\(workspace.logs)/cli-\(number)"
        let child = try await Spawner.shared.spawn(SpawnRequest(
            name: "cloud-connector \(arguments.prefix(2).joined(separator: " "))", executable: binary, arguments: arguments,
            environment: environment, stdoutPath: base + ".out", stderrPath: base + ".err"))
        guard let status = await child.exitStatus(within: timeout) else {
            _ = await child.killNow()
            let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw TortureError(description: """
                cloud-connector \(arguments.prefix(2).joined(separator: " ")) did not finish within \(timeout) and was \
                killed; its output is in \(base).out and .err\(stderr.isEmpty ? "" : ": \(stderr.suffix(300))")
                """)
        }
        let outcome = Outcome(
            status: status, stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        if status == .exited(0) {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        return outcome
    }
}
