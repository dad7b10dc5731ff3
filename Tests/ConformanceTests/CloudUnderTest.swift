import CloudConnector
import Conformance
import Foundation
import Logging
import ReferenceCloud
import Testing
import WebSocketTransport

/// A reference cloud on 127.0.0.1, port 0, on a fresh data directory, for the kit to check.
struct CloudUnderTest {
    let cloud: ReferenceCloud
    let directory: String

    static func start(faults: CloudFaults = CloudFaults(), apiKeys: Set<String> = [], tls: TLSConfiguration? = nil) async throws -> CloudUnderTest {
        let directory = NSTemporaryDirectory() + "conformance-cloud-" + UUID().uuidString
        var logger = Logger(label: "conformance-test.cloud")
        logger.logLevel = .critical
        let cloud = ReferenceCloud(
            configuration: ReferenceCloudConfiguration(dataDirectory: directory, apiKeys: apiKeys, faults: faults, tls: tls),
            logger: logger)
        try await cloud.start()
        return CloudUnderTest(cloud: cloud, directory: directory)
    }

    func finish() async {
        await cloud.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the kit is given: the WebSocket URL only, the API URL derived as a device derives it.
    /// The timeout is generous: on a loaded machine a healthy cloud must never miss it.
    func configuration(apiKey: String? = nil) async throws -> ConformanceConfiguration {
        let endpoint = try CloudEndpoint.parse(environment: ["CLOUD_WS_URL": await cloud.webSocketURL])
        return ConformanceConfiguration(
            endpoint: try #require(endpoint), apiKey: apiKey.map(APIKey.init), tenantID: "acme", timeout: .seconds(10))
    }

    /// Runs the kit in this process and returns each check's result by id.
    func runKit(_ checks: [ConformanceCheck] = ConformanceCatalog.all, apiKey: String? = nil) async throws -> [String: CheckResult] {
        var logger = Logger(label: "conformance-test.kit")
        logger.logLevel = .critical
        let runner = ConformanceRunner(configuration: try await configuration(apiKey: apiKey), logger: logger)
        let results = try await runner.run(checks)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.id, $0) })
    }
}
