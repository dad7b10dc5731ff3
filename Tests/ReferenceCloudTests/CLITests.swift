import ConnectorCore
import Foundation
import Logging
import Testing
import WebSocketTransport

/// The `reference-cloud` executable as scripts use it: `serve` prints the WebSocket URL then the HTTP
/// URL on stdout, serves until SIGTERM and then exits 0; help exits 0; bad flags exit non-zero with a
/// message that names the problem.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CLITests {
    @Test func theBinaryWasBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: CloudProcess.binary), "build it with `swift build`: \(CloudProcess.binary)")
    }

    @Test func serveAnswersHealthzAndExitsZeroOnSIGTERM() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CloudProcess.binary))
        let data = NSTemporaryDirectory() + "refcloud-cli-data-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cloud = try CloudProcess(["serve", "--data-dir", data, "--port", "0", "--log-level", "warning"])
        defer { cloud.cleanUp() }

        let urls = try #require(await cloud.lines(2), "no URLs on stdout; stderr:\n\(cloud.stderr)")
        let ws = try #require(URL(string: urls[0]))
        let api = try #require(URL(string: urls[1]))
        #expect(ws.scheme == "ws")
        #expect(ws.path == "/ws")
        #expect(api.scheme == "http")
        #expect(ws.host == "127.0.0.1")
        #expect(api.host == ws.host)
        #expect(api.port == ws.port)
        #expect((ws.port ?? 0) > 0, "--port 0 must print the port actually bound")

        let loop = try WebSocketEventLoop(name: "rc-cli-test", logger: Logger(label: "rc-cli-test"))
        let health = try await loop.send(HTTPClientRequest(url: urls[1] + "/healthz"))
        #expect(health.status == 200)
        #expect(health.bodyText == "ok\n")
        await loop.shutdown(gracePeriod: .milliseconds(200))

        cloud.signal(SIGTERM)
        let ended = try #require(await cloud.exit(), "still running 30 s after SIGTERM")
        #expect(ended.reason == .exit, "killed by the signal instead of stopping cleanly; stderr:\n\(cloud.stderr)")
        #expect(ended.status == 0, "stderr:\n\(cloud.stderr)")
        #expect(FileManager.default.fileExists(atPath: data + "/cloud.sqlite"))
    }

    /// The broken modes the conformance kit must catch can be started from a script.
    @Test func faultFlagsAreInForceFromTheStart() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CloudProcess.binary))
        let data = NSTemporaryDirectory() + "refcloud-cli-data-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cloud = try CloudProcess([
            "serve", "--data-dir", data, "--log-level", "error", "--fault", "ack_unreceived", "--fault", "ignore_heartbeats",
        ])
        defer { cloud.cleanUp() }
        let urls = try #require(await cloud.lines(2), "no URLs on stdout; stderr:\n\(cloud.stderr)")
        let loop = try WebSocketEventLoop(name: "rc-cli-test", logger: Logger(label: "rc-cli-test"))
        let faults = try JSON.parse(try await loop.send(HTTPClientRequest(url: urls[1] + "/admin/faults")).bodyText)
        await loop.shutdown(gracePeriod: .milliseconds(200))
        #expect(faults["ack_unreceived"] == .bool(true))
        #expect(faults["ignore_heartbeats"] == .bool(true))
        #expect(faults["count_resends"] == .bool(false))
        cloud.signal(SIGTERM)
        #expect(await cloud.exit()?.status == 0, "stderr:\n\(cloud.stderr)")
    }

    @Test(arguments: [["--help"], ["serve", "--help"], ["help", "serve"]])
    func helpExitsZero(_ arguments: [String]) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CloudProcess.binary))
        let result = try await CloudProcess.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("--data-dir") || (result.stdout + result.stderr).contains("serve"))
    }

    /// Each refused command line exits non-zero, prints no URL, and says what is wrong.
    @Test(arguments: [
        (["serve"], "--data-dir"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--port", "70000"], "--port must be 0...65535"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--port", "many"], "--port"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--bogus"], "--bogus"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--log-level", "loud"], "unknown --log-level loud"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--heartbeat-ms", "0"], "must be positive"),
        (["serve", "--data-dir", "/tmp/refcloud-never-created", "--fault", "ack_unrecieved"], "unknown --fault ack_unrecieved"),
        (["launch"], "launch"),
    ])
    func badArgumentsExitNonZeroWithAMessage(_ arguments: [String], _ mentions: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CloudProcess.binary))
        let result = try await CloudProcess.run(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty || !result.stdout.contains("ws://"))
        #expect(result.stderr.contains(mentions), "stderr:\n\(result.stderr)")
    }
}
