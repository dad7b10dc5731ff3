import ConnectorCore
import Conformance
import Foundation
import ReferenceCloud
import SocketTestSupport
import Testing
import WebSocketTransport

/// `cloud-connector conformance` as a cloud team runs it: the real binary against a reference cloud
/// in this process. The table, the JSON, the exit codes, and the API key never in the output.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConformanceCommandTests {
    static let apiKey = "kit-secret-key-5e1f0c"

    @Test func theBinaryWasBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: ConnectorBinary.path), "build it with `swift build`: \(ConnectorBinary.path)")
    }

    @Test func aHealthyCloudPassesEveryRowExitsZeroAndTheKeyIsNeverPrinted() async throws {
        let cloud = try await CloudUnderTest.start(apiKeys: [Self.apiKey])
        let url = await cloud.cloud.webSocketURL
        let fromEnvironment = try await ConnectorBinary.run(
            ["conformance", "--url", url, "--tenant-id", "acme", "--timeout", "10s"], environment: ["CLOUD_API_KEY": Self.apiKey, "LOG_LEVEL": "debug"])
        let fromFlag = try await ConnectorBinary.run(["conformance", "--url", url, "--api-key", Self.apiKey, "--only", "handshake,R6"])
        await cloud.finish()

        #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
        let lines = fromEnvironment.stdout.split(separator: "\n").map(String.init)
        for check in ConformanceCatalog.all {
            let row = lines.first { $0.hasPrefix(check.id + " ") }
            #expect(row?.contains(" pass ") == true, "\(check.id): \(row ?? "no row")\n\(fromEnvironment)")
        }
        #expect(lines.contains("api key  set"))
        #expect(lines.last == "\(ConformanceCatalog.all.count) checks: \(ConformanceCatalog.all.count) passed, 0 failed, 0 skipped")
        #expect(fromFlag.status == 0, "\(fromFlag)")
        #expect(fromFlag.stdout.contains("R6.counted-once"))
        #expect(!fromFlag.stdout.contains("R5.cumulative"), "--only runs only what it names")
        for run in [fromEnvironment, fromFlag] {
            #expect(!run.combined.contains(Self.apiKey), "the API key was printed:\n\(run)")
        }
        #expect(fromEnvironment.stderr.contains("check ended"), "LOG_LEVEL=debug shows the kit's own log, still without the key")
    }

    @Test func aBrokenCloudExitsOneAndNamesTheRuleInTheTableAndTheJSON() async throws {
        let cloud = try await CloudUnderTest.start(faults: CloudFaults(ackUnreceived: true))
        let url = await cloud.cloud.webSocketURL
        let table = try await ConnectorBinary.run(["conformance", "--url", url, "--only", "R5,R4"])
        let json = try await ConnectorBinary.run(["conformance", "--url", url, "--only", "R5", "--json"])
        await cloud.finish()

        #expect(table.status == 1, "\(table)")
        let row = table.stdout.split(separator: "\n").first { $0.hasPrefix("R5.cumulative ") }.map(String.init) ?? ""
        #expect(row.contains(" fail "), "\(table)")
        #expect(row.contains("the cloud acked a seq it never received (R5)"), "\(row)")
        #expect(table.stdout.contains("3 checks: 2 passed, 1 failed, 0 skipped"), "\(table)")

        #expect(json.status == 1, "\(json)")
        let document = try JSON.parse(json.stdout)
        #expect(document["ok"] == .bool(false))
        #expect(document["failed"]?.numberValue?.int64 == 1)
        #expect(document["passed"]?.numberValue?.int64 == 1)
        #expect(document["api_key"]?.stringValue == "unset")
        let checks = try #require(document["checks"]?.arrayValue)
        #expect(checks.map { $0["id"]?.stringValue } == ["R5.cumulative", "R5.durable"])
        let cumulative = checks[0]
        #expect(cumulative["result"]?.stringValue == "fail")
        #expect(cumulative["rule"]?.stringValue == "R5")
        #expect(cumulative["detail"]?.stringValue?.contains("acked a seq it never received") == true)
        #expect(cumulative["device_id"]?.stringValue?.hasPrefix("conformance-") == true)
        #expect(checks[0]["device_id"] != checks[1]["device_id"], "each check is a device of its own")
    }

    /// wss:// is verified like the connector verifies it: the test CA with --ca-file, refused by the
    /// system trust store without it, unverified (and said so) with --insecure.
    @Test func aTLSCloudIsVerifiedWithTheCAFileAndRefusedWithoutIt() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let cloud = try await CloudUnderTest.start(
            tls: TLSConfiguration(certificateFile: certificates.certificateFile, privateKeyFile: certificates.privateKeyFile))
        let url = await cloud.cloud.webSocketURL
        let trusted = try await ConnectorBinary.run(["conformance", "--url", url, "--only", "handshake,R5.durable"], environment: ["CLOUD_CA_FILE": certificates.caFile])
        let untrusted = try await ConnectorBinary.run(["conformance", "--url", url, "--only", "handshake.token"])
        let insecure = try await ConnectorBinary.run(["conformance", "--url", url, "--only", "handshake.token", "--insecure"])
        await cloud.finish()

        #expect(url.hasPrefix("wss://"))
        #expect(trusted.status == 0, "\(trusted)")
        #expect(trusted.stdout.contains("api      https://127.0.0.1:"), "the API URL derived from wss:// is https://")
        #expect(untrusted.status == 1, "\(untrusted)")
        #expect(untrusted.stdout.contains("handshake.token") && untrusted.stdout.contains("/device-token failed"), "\(untrusted)")
        #expect(insecure.status == 0, "\(insecure)")
        #expect(insecure.stdout.contains("certificates NOT verified"))
        #expect(insecure.stderr.contains("TLS certificate verification is OFF"), "\(insecure)")
    }

    @Test func listNeedsNoCloud() async throws {
        let table = try await ConnectorBinary.run(["conformance", "--list"])
        #expect(table.status == 0, "\(table)")
        for check in ConformanceCatalog.all { #expect(table.stdout.contains(check.id)) }
        let json = try await ConnectorBinary.run(["conformance", "--list", "--only", "R9", "--json"])
        #expect(try JSON.parse(json.stdout).arrayValue?.map { $0["id"]?.stringValue } == ["R9.heartbeat"])
    }

    @Test func anUnreachableCloudFailsTheChecksWithTheReason() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let run = try await ConnectorBinary.run(["conformance", "--url", "ws://127.0.0.1:1/ws", "--only", "handshake.token,R9"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("GET http://127.0.0.1:1/device-token failed"), "\(run)")
        #expect(run.stdout.contains("2 checks: 0 passed, 2 failed, 0 skipped"), "\(run)")
    }

    @Test(arguments: [
        (["conformance"], 64, "no cloud to check: give --url"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--only", "R7"], 64, "no check or group is called R7"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--timeout", "0s"], 64, "--timeout must be a positive duration"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--timeout", "soon"], 64, "--timeout must be a positive duration"),
        (["conformance", "--url", "http://127.0.0.1:9/ws"], 78, "--url (CLOUD_WS_URL) must start with ws:// or wss://"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--api-url", "ftp://x"], 78, "--api-url (CLOUD_API_URL) must start with http:// or https://"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--ca-file", "/nonexistent/ca.pem"], 78, "--ca-file (CLOUD_CA_FILE) names /nonexistent/ca.pem"),
        (["conformance", "--url", "ws://127.0.0.1:9/ws", "--tenant-id", "two words"], 78, "--tenant-id (TENANT_ID) may only hold printable ASCII"),
    ])
    func badInvocationsSayWhatIsWrong(_ arguments: [String], _ status: Int32, _ mentions: String) async throws {
        let run = try await ConnectorBinary.run(arguments)
        #expect(run.status == status, "\(run)")
        #expect(run.stderr.contains(mentions), "\(run)")
        #expect(!run.stdout.contains(" pass "), "no check ran")
    }
}
