import Foundation

/// The real `cloud-connector` executable, built next to this test bundle, run as a child process
/// with a clean environment (nothing from the developer's shell, such as a real CLOUD_API_KEY).
enum ConnectorBinary {
    static let path: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for folder in [products, products.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("cloud-connector").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return products.appendingPathComponent("cloud-connector").path
    }()

    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var combined: String { stdout + "\n" + stderr }
        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    /// Runs to the end without blocking the caller's thread; output goes to files, not pipes, so a
    /// chatty child never blocks on a full pipe.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let folder = NSTemporaryDirectory() + "conformance-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder].merging(environment) { _, new in new }
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/err"))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        try out.close()
        try err.close()
        func text(_ name: String) -> String {
            String(decoding: FileManager.default.contents(atPath: folder + "/" + name) ?? Data(), as: UTF8.self)
        }
        return Result(status: process.terminationStatus, stdout: text("out"), stderr: text("err"))
    }
}
