import ArgumentParser
import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Show this device's id, tenant, data directory, cloud mode and whether an outbox exists.",
        discussion: """
            The device id is DEVICE_ID when set, else the one in <data>/device_id. This is the command \
            to learn the id to register with a cloud, so when neither exists it creates the data \
            directory (mode 0700) and device_id (mode 0600, a new UUID, never regenerated). It never \
            creates the outbox. The cloud URL is shown without credentials; CLOUD_API_KEY only as set/unset.

            Examples:
              cloud-connector device
              cloud-connector device --data-dir /var/lib/mindscape --json
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        let configuration = context.configuration
        let directory = try DataDirectory.prepare(configuration.dataDirectory, logger: context.logger)
        guard let identity = try DeviceIdentity.resolve(configuration: configuration, directory: directory, createIfMissing: true) else {
            throw CLIFailure(.software, "internal error: the device id was not created. Please report it.")
        }
        let storePresent = FileManager.default.fileExists(atPath: context.storePath)
        let cloud = configuration.cloud
        if context.json {
            Console.out(json: [
                "device_id": .string(identity.deviceID),
                "device_id_source": .string(identity.source.rawValue),
                "tenant_id": .string(identity.tenantID),
                "data_dir": .string(directory.path),
                "mode": .string(cloud == nil ? "standalone" : "cloud"),
                "cloud_ws_url": .string(cloud?.displayWebSocketURL),
                "cloud_api_url": .string(cloud?.displayAPIURL),
                "cloud_api_key": .string(configuration.apiKeyConfigured ? "set" : "unset"),
                "store": ["path": .string(context.storePath), "present": .bool(storePresent)],
                "durability": .string(configuration.durability.rawValue),
                "max_outbox_bytes": .int(configuration.maxOutboxBytes),
                "retention_ms": .int(configuration.retentionMS),
            ])
            return
        }
        let source: String
        switch identity.source {
        case .environment: source = "from DEVICE_ID"
        case .file: source = "from \(directory.file(DeviceIdentity.fileName))"
        case .created: source = "new, saved to \(directory.file(DeviceIdentity.fileName))"
        }
        var pairs: [(String, String)] = [
            ("device id", "\(identity.deviceID)  (\(source))"),
            ("tenant", identity.tenantID),
            ("data dir", directory.path),
        ]
        if let cloud {
            pairs.append(("mode", "cloud"))
            pairs.append(("cloud ws url", cloud.displayWebSocketURL))
            pairs.append(("cloud api url", cloud.displayAPIURL + (cloud.apiURLIsDerived ? "  (derived from CLOUD_WS_URL)" : "")))
            pairs.append(("cloud api key", configuration.apiKeyConfigured ? "set" : "unset"))
        } else {
            pairs.append(("mode", "standalone (CLOUD_WS_URL is not set)"))
        }
        pairs.append(("outbox", storePresent ? context.storePath : "none yet (\(context.storePath))"))
        pairs.append(("durability", configuration.durability.rawValue))
        pairs.append(("max outbox", ByteCount.format(configuration.maxOutboxBytes)))
        pairs.append(("retention", DurationText.format(milliseconds: configuration.retentionMS)))
        Console.out(lines: TextTable.keyValues(pairs))
    }
}
