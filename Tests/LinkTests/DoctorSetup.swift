import ConnectorCore
import Foundation
import OutboxStore
import ReferenceCloud
import SQLiteDB
import Testing
import WebSocketTransport

/// What one run of `cloud-connector doctor --json` printed, with its findings by check.
struct DoctorOutcome: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var json: JSONValue { (try? JSON.parse(stdout)) ?? .null }
    var findings: [JSONValue] { json["findings"]?.arrayValue ?? [] }

    /// The findings of one check (a check may report several).
    func findings(_ check: String) -> [(status: String, message: String)] {
        findings.filter { $0["check"]?.stringValue == check }.map {
            ($0["status"]?.stringValue ?? "", $0["message"]?.stringValue ?? "")
        }
    }

    func statuses(_ check: String) -> [String] { findings(check).map(\.status) }

    /// Whether `check` reported `status` with a message containing every one of `texts`.
    func has(_ check: String, _ status: String, _ texts: String...) -> Bool {
        findings(check).contains { finding in finding.status == status && texts.allSatisfy { finding.message.contains($0) } }
    }

    var everything: String { stdout + "\n" + stderr }
    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// A reference cloud and a healthy device data directory beside it: owner-only, a handler
/// installed, a few messages in the store. Tests break one thing at a time and run the real binary.
final class DoctorSetup {
    static let apiKey = "doctor-test-api-key-7Qx2v9"

    let harness: LinkHarness
    var device: String { harness.directory + "/device" }
    var environment: [String: String]

    init(
        faults: CloudFaults = CloudFaults(), apiKeys: Set<String> = [DoctorSetup.apiKey], tls: TLSConfiguration? = nil
    ) async throws {
        harness = try await LinkHarness(faults: faults, apiKeys: apiKeys, tls: tls)
        chmod(harness.directory + "/device", 0o700)
        let tools = harness.directory + "/device/handlers/tools"
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(harness.directory + "/device/handlers", 0o700)
        try "#!/bin/sh\ncat >/dev/null\necho '{\"type\": \"result\", \"result\": {}}'\n".write(
            toFile: tools + "/echo", atomically: true, encoding: .utf8)
        chmod(tools + "/echo", 0o700)
        try await harness.append(count: 5)
        let urls = await harness.urls()
        environment = [
            "DEVICE_ID": testDevice, "TENANT_ID": testTenant, "CLOUD_WS_URL": urls.ws, "CLOUD_API_KEY": DoctorSetup.apiKey,
            // Small enough that any test machine's disk has room for it.
            "OUTBOX_MAX_BYTES": "64MiB",
        ]
    }

    /// `cloud-connector doctor --json --data-dir <device> ARGUMENTS`.
    func doctor(_ arguments: String..., environment extra: [String: String] = [:], json: Bool = true) async throws -> DoctorOutcome {
        try await DoctorSetup.run(
            ["doctor", "--data-dir", device] + (json ? ["--json"] : []) + arguments, environment: environment.merging(extra) { $1 })
    }

    func writeConfig(_ text: String) throws {
        try text.write(toFile: device + "/config.json", atomically: true, encoding: .utf8)
    }

    /// Every token the cloud ever issued, from its own database: none may appear in doctor's output.
    func issuedTokens() throws -> [String] {
        let db = try Database(path: harness.cloud.databasePath, mode: .readWrite(create: false))
        return try db.all("SELECT token FROM tokens").compactMap { $0.first?.text }
    }

    func finish() async { await harness.finish() }

    /// Runs the binary to its end with only `environment` (plus PATH and HOME), stdout and stderr apart.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> DoctorOutcome {
        let folder = NSTemporaryDirectory() + "doctor-io-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ConnectorProcess.binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { $1 }
        process.environment = env
        // Files, not pipes: output of any size can never block the child.
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/err"))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw WaitTimedOut(what: "cloud-connector \(arguments.joined(separator: " ")) to end")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try out.close()
        try err.close()
        let read = { (name: String) in String(decoding: FileManager.default.contents(atPath: folder + "/" + name) ?? Data(), as: UTF8.self) }
        return DoctorOutcome(status: process.terminationStatus, stdout: read("out"), stderr: read("err"))
    }
}
