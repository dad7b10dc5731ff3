import Foundation
public import OutboxStore

/// Who this device is (seed: "persistent device ID management") and which tenant it serves.
public struct DeviceIdentity: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        /// `DEVICE_ID` was set.
        case environment
        /// Read from `<data>/device_id`.
        case file
        /// `<data>/device_id` did not exist and was just created with a new id.
        case created
    }

    public static let fileName = "device_id"
    public static let defaultTenant = "local"

    public let deviceID: String
    public let tenantID: String
    public let source: Source

    /// What the outbox records as its owner and checks on every open (R12).
    public var storeIdentity: StoreIdentity { StoreIdentity(deviceID: deviceID, tenantID: tenantID) }

    public init(deviceID: String, tenantID: String, source: Source) {
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.source = source
    }

    /// `DEVICE_ID` when set, else `<data>/device_id`, created with a new lower-case UUID when it does
    /// not exist and `createIfMissing` allows it. Returns nil only when the file is missing and may
    /// not be created.
    public static func resolve(
        configuration: ConnectorConfiguration, directory: DataDirectory, createIfMissing: Bool
    ) throws(ConfigurationError) -> DeviceIdentity? {
        if let override = configuration.deviceIDOverride {
            return DeviceIdentity(deviceID: override, tenantID: configuration.tenantID, source: .environment)
        }
        let path = directory.file(fileName)
        switch try DeviceIDFile.load(path) {
        case .id(let id):
            return DeviceIdentity(deviceID: id, tenantID: configuration.tenantID, source: .file)
        case .missing:
            guard createIfMissing else { return nil }
            let outcome = try DeviceIDFile.create(path, id: UUID().uuidString.lowercased())
            return DeviceIdentity(
                deviceID: outcome.id, tenantID: configuration.tenantID, source: outcome.created ? .created : .file)
        }
    }
}
