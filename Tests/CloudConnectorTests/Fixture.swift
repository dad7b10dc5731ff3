import ConnectorCore
import Foundation
import Logging
import OutboxStore
import Testing

/// A data directory in a temp folder, and the CLI run against it as one device.
struct Fixture {
    static let deviceID = "dev-cli-test-1"
    static let tenantID = "tenant-a"

    let root = TemporaryDirectory()
    var dataDir: String { root.path + "/data" }
    var environment: [String: String] = ["DEVICE_ID": Fixture.deviceID, "TENANT_ID": Fixture.tenantID]

    /// Runs the CLI with `--data-dir` pointing at this fixture.
    func run(_ arguments: String..., stdin: String? = nil, environment extra: [String: String] = [:]) throws -> CLIResult {
        try run(arguments, stdin: stdin, environment: extra)
    }

    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> CLIResult {
        try CLI.run(arguments + ["--data-dir", dataDir], environment: environment.merging(extra) { _, new in new }, stdin: stdin)
    }

    /// Appends through the CLI and returns the seq; fails the test if the append fails.
    @discardableResult
    func append(_ type: String, _ payload: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int64 {
        let result = try run("outbox", "append", "--type", type, "--payload", payload, "--json")
        #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        return try JSON.parse(result.stdout)["seq"]?.numberValue?.int64 ?? -1
    }

    /// Parses the stdout of a `--json` command.
    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try json(arguments, sourceLocation: sourceLocation)
    }

    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        return try JSON.parse(result.stdout)
    }

    /// The store opened in the test process, as the same device: for acks and for appending beside
    /// CLI processes.
    func openStore() throws -> OutboxStore {
        try FileManager.default.createDirectory(
            atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var logger = Logger(label: "test.cloud-connector")
        logger.logLevel = .error
        return try OutboxStore.open(
            directory: dataDir, identity: StoreIdentity(deviceID: Fixture.deviceID, tenantID: Fixture.tenantID),
            logger: logger)
    }
}

extension JSONValue {
    var int: Int64? { numberValue?.int64 }
}
