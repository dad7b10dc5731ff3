import Foundation
import OutboxStore
import ReferenceCloud
import Testing
import SocketTestSupport
import WebSocketTransport

extension LinkSuites {
    /// The real `cloud-connector run` against a reference cloud serving wss:// and https:// with a
    /// certificate from a CA made in the test: verified by default, trusted through CLOUD_CA_FILE,
    /// or skipped only with CLOUD_TLS_INSECURE=1, which warns.
    @Suite("wss:// and https:// to the cloud", .timeLimit(.minutes(3)))
    struct TLSLinkTests {
        /// A TLS cloud, 5 messages waiting, and a `run` process with `extra` in its environment.
        static func run(_ extra: [String: String], _ body: (LinkHarness, ConnectorProcess, StoreReaderForTests) async throws -> Void)
            async throws
        {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let harness = try await LinkHarness(
                tls: TLSConfiguration(certificateFile: certificates.certificateFile, privateKeyFile: certificates.privateKeyFile))
            try await harness.append(count: 5)
            harness.store.close()
            var env = await ProcessTests.environment(harness)
            #expect(env["CLOUD_WS_URL"]?.hasPrefix("wss://") == true)
            for (key, value) in extra { env[key] = value.replacingOccurrences(of: "$CA", with: certificates.caFile) }
            let process = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            try await body(harness, process, reader)
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0, "\(process.log)")
            await harness.finish()
        }

        @Test("CLOUD_CA_FILE trusts the cloud's CA: token over https, link over wss, everything acked")
        func caFileTrusted() async throws {
            try await Self.run(["CLOUD_CA_FILE": "$CA"]) { harness, process, reader in
                try await eventually("delivery over wss") { try reader.backlog().ackedSeq == 5 }
                #expect(try await harness.cloud.counts(deviceID: testDevice).messages == 5)
                #expect(!process.log.contains("DISABLED"))
            }
        }

        @Test("without a CA file the system trust store refuses the test CA: status says why, nothing is dropped")
        func unknownCARefused() async throws {
            try await Self.run([:]) { harness, _, reader in
                try await eventually("the refusal reported") {
                    try reader.linkStatus()?.lastError?.contains("certificate verification failed") == true
                }
                #expect(try reader.backlog().pending == 5)
                #expect(try await harness.cloud.counts(deviceID: testDevice).messages == 0)
            }
        }

        @Test("CLOUD_TLS_INSECURE=1 connects without verifying, and says so at every connect")
        func insecureConnectsAndWarns() async throws {
            try await Self.run(["CLOUD_TLS_INSECURE": "1"]) { _, process, reader in
                try await eventually("delivery without verification") { try reader.backlog().ackedSeq == 5 }
                #expect(process.log.contains("TLS certificate verification is DISABLED"), "\(process.log)")
            }
        }
    }
}
