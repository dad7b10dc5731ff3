import Foundation

/// The real `cloud-connector run`, as a child process: for SIGKILL and SIGTERM, which only a
/// separate process can take.
final class ConnectorProcess {
    static let binary: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for folder in [products, products.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("cloud-connector").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return products.appendingPathComponent("cloud-connector").path
    }()

    let process = Process()
    let logPath: String

    /// Starts `cloud-connector <arguments>` with only `environment` (plus PATH and HOME).
    init(_ arguments: [String], environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LOG_LEVEL": "notice"]
        env.merge(environment) { _, new in new }
        process.environment = env
        // A file, not a pipe: a chatty child can never block on a full pipe.
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// The exit status once the process ended, or nil if it is still running after `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}
