import Foundation

/// The `reference-cloud` executable as a child process. `swift build` builds every product into the
/// folder that also holds this test bundle, so the binary is looked up there (as CloudConnectorTests'
/// CLIRunner does for `cloud-connector`). The test target does not depend on ReferenceCloudCLI, so a
/// missing binary is reported by the tests, not papered over.
final class CloudProcess {
    static let binary: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for folder in [products, products.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("reference-cloud").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return products.appendingPathComponent("reference-cloud").path
    }()

    let process = Process()
    /// Holds stdout, stderr and whatever data directory a test puts there; removed by `cleanUp()`.
    let folder = NSTemporaryDirectory() + "refcloud-cli-" + UUID().uuidString
    private var handles: [FileHandle] = []

    /// Starts the binary with a clean environment (nothing from the developer's shell leaks in).
    /// Output goes to files, not pipes, so a chatty child can never block on a full pipe.
    init(_ arguments: [String]) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder]
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: path(name), contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: path("err")))
        handles = [out, err]
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func path(_ name: String) -> String { folder + "/" + name }

    var stdout: String { String(decoding: FileManager.default.contents(atPath: path("out")) ?? Data(), as: UTF8.self) }
    var stderr: String { String(decoding: FileManager.default.contents(atPath: path("err")) ?? Data(), as: UTF8.self) }

    /// The first `count` complete stdout lines, once written; nil if the process exits or time runs out.
    func lines(_ count: Int, within timeout: Duration = .seconds(30)) async -> [String]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let complete = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if complete.count >= count { return Array(complete.prefix(count)) }
            if !process.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// How the process ended, or nil if it still runs after `timeout` (then it is killed).
    func exit(within timeout: Duration = .seconds(30)) async -> (reason: Process.TerminationReason, status: Int32)? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.interrupt()
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationReason, process.terminationStatus)
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for handle in handles { try? handle.close() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs to completion: for `--help` and refused arguments.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try CloudProcess(arguments)
        defer { child.cleanUp() }
        let ended = await child.exit()
        return (ended?.status ?? -1, child.stdout, child.stderr)
    }
}
