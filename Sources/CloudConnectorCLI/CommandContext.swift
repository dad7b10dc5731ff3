import CloudConnector
import Foundation
import Logging
@_spi(Faults) import OutboxStore

/// What every command starts from: the parsed configuration and the logger, and the two ways to get
/// at the store. Read commands never create anything; only `outbox append` creates the store.
struct CommandContext {
    let configuration: ConnectorConfiguration
    let environment: [String: String]
    let json: Bool
    let logger: Logger

    init(_ global: GlobalOptions, tuning: StoreTuningOptions, retention: String? = nil) throws {
        try self.init(global, durability: tuning.durability, maxOutboxBytes: tuning.maxOutboxBytes, retention: retention)
    }

    init(_ global: GlobalOptions, durability: String? = nil, maxOutboxBytes: String? = nil, retention: String? = nil) throws {
        try self.init(
            dataDirectory: global.dataDirectory, json: global.json, durability: durability, maxOutboxBytes: maxOutboxBytes,
            retention: retention)
    }

    init(
        dataDirectory: String?, json: Bool, durability: String? = nil, maxOutboxBytes: String? = nil,
        retention: String? = nil
    ) throws {
        environment = ProcessInfo.processInfo.environment
        let flags = ConnectorConfiguration.Flags(
            dataDirectory: dataDirectory, durability: durability, maxOutboxBytes: maxOutboxBytes, retention: retention)
        configuration = try ConnectorConfiguration.parse(environment: environment, flags: flags)
        self.json = json
        logger = Logger(label: "cloud-connector")
    }

    var storePath: String { configuration.dataDirectory + "/" + OutboxStore.fileName }

    /// Opens the store only if it exists; otherwise exit 66 and nothing is created, not even the
    /// data directory or device_id.
    func openExistingStore() throws -> OutboxStore {
        guard let directory = try DataDirectory.existing(configuration.dataDirectory, logger: logger),
            FileManager.default.fileExists(atPath: storePath)
        else {
            throw CLIFailure(
                .noInput,
                "no outbox at \(storePath) — nothing has been appended yet. Check --data-dir or CLOUD_CONNECTOR_DATA_DIR.")
        }
        guard let identity = try DeviceIdentity.resolve(configuration: configuration, directory: directory, createIfMissing: false) else {
            throw CLIFailure(
                .configuration,
                "the outbox at \(storePath) exists but \(directory.file(DeviceIdentity.fileName)) does not, and DEVICE_ID is not set, so this store was created with DEVICE_ID set. Set DEVICE_ID (and TENANT_ID) to the values it was created with; nothing was changed.")
        }
        return try open(directory, identity)
    }

    /// Creates the data directory, the device id and the store as needed.
    func openOrCreateStore() throws -> OutboxStore {
        let directory = try DataDirectory.prepare(configuration.dataDirectory, logger: logger)
        guard let identity = try DeviceIdentity.resolve(configuration: configuration, directory: directory, createIfMissing: true) else {
            throw CLIFailure(.software, "internal error: the device id was not created. Please report it.")
        }
        if identity.source == .created {
            logger.notice("created a new device id", metadata: ["device_id": "\(identity.deviceID)", "data_dir": "\(directory.path)"])
        }
        return try open(directory, identity)
    }

    /// `faults`: only `run` passes any, and only in debug builds (TestFaults).
    /// `probeForDamage`: look for damage deeper than the header (DamageProbe); `run` asks for it.
    func open(
        _ directory: DataDirectory, _ identity: DeviceIdentity, faults: OutboxFaults = [], probeForDamage: Bool = false
    ) throws -> OutboxStore {
        var options = configuration.outboxOptions
        options.faults = faults
        options.probeForDamageAtOpen = probeForDamage
        return try OutboxStore.open(directory: directory.path, identity: identity.storeIdentity, options: options, logger: logger)
    }

    /// Runs `body` with the existing store and closes it afterwards, also when `body` throws.
    func withExistingStore<T>(_ body: (OutboxStore) throws -> T) throws -> T {
        let store = try openExistingStore()
        defer { store.close() }
        return try body(store)
    }

    func withReader<T>(_ body: (OutboxReader, OutboxStore) throws -> T) throws -> T {
        try withExistingStore { store in try body(try store.makeReader(), store) }
    }

    var nowMS: Int64 { SystemWallClock().nowMilliseconds() }
}
