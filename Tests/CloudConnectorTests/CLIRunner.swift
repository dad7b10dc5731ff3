import Foundation

/// What one run of the real `cloud-connector` binary did.
struct CLIResult: CustomStringConvertible {
    let status: Int32
    let stdoutBytes: [UInt8]
    let stderr: String

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Everything the process printed, for checks that a secret appears nowhere.
    var combined: String { stdout + "\n" + stderr }
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// Runs the `cloud-connector` executable built next to this test bundle as a child process.
enum CLI {
    /// The build products folder holding this test binary holds the CLI too (the test target
    /// depends on CloudConnectorCLI, so it is built first).
    static let binary: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for folder in [products, products.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("cloud-connector").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return products.appendingPathComponent("cloud-connector").path
    }()

    /// A clean environment: nothing from the developer's shell leaks in (no real DEVICE_ID, no real
    /// ~/.mindscape), only what the test passes.
    static let scratchHome = TemporaryDirectory("cloud-connector-home")

    /// `errorOutput`: a handle for the child's stderr (a pseudo-terminal, say) instead of a file; the
    /// result's `stderr` is then empty.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        workingDirectory: String? = nil, errorOutput: FileHandle? = nil
    ) throws -> CLIResult {
        let io = TemporaryDirectory("cloud-connector-io")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": scratchHome.path, "LOG_LEVEL": "warning"]
        env.merge(environment) { _, new in new }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        // Files, not pipes: a child writing more than a pipe buffer can never block on us.
        _ = FileManager.default.createFile(atPath: io.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: io.file("err"), contents: nil)
        _ = FileManager.default.createFile(atPath: io.file("in"), contents: Data((stdin ?? "").utf8))
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: io.file("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: io.file("err")))
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: io.file("in")))
        process.standardOutput = out
        process.standardError = errorOutput ?? err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        try input.close()
        let stdoutBytes = [UInt8](FileManager.default.contents(atPath: io.file("out")) ?? Data())
        let stderr = String(decoding: FileManager.default.contents(atPath: io.file("err")) ?? Data(), as: UTF8.self)
        return CLIResult(status: process.terminationStatus, stdoutBytes: stdoutBytes, stderr: stderr)
    }

    /// Runs another program (lz4, flock) the same way.
    static func runTool(_ path: String, _ arguments: [String]) throws -> CLIResult {
        let io = TemporaryDirectory("cloud-connector-io")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: io.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: io.file("err"), contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: io.file("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: io.file("err")))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CLIResult(
            status: process.terminationStatus,
            stdoutBytes: [UInt8](FileManager.default.contents(atPath: io.file("out")) ?? Data()),
            stderr: String(decoding: FileManager.default.contents(atPath: io.file("err")) ?? Data(), as: UTF8.self))
    }
}
