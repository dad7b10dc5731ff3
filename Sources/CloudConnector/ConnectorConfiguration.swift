import Foundation
public import OutboxStore

/// Everything the connector reads from flags and the environment, parsed and checked up front so a
/// bad value fails at start with a message naming it. Pure: the environment is a parameter, so tests
/// never touch the real one. Reading the device id file is `DeviceIdentity`'s job.
public struct ConnectorConfiguration: Sendable, Equatable {
    /// Flag values, which win over the environment.
    public struct Flags: Sendable, Equatable {
        public var dataDirectory: String?
        public var durability: String?
        public var maxOutboxBytes: String?
        public var retention: String?

        public init(dataDirectory: String? = nil, durability: String? = nil, maxOutboxBytes: String? = nil, retention: String? = nil) {
            self.dataDirectory = dataDirectory
            self.durability = durability
            self.maxOutboxBytes = maxOutboxBytes
            self.retention = retention
        }
    }

    public static let defaultRetentionMS: Int64 = 30 * 86_400_000
    public static let defaultMaxOutboxBytes: Int64 = 512 << 20
    /// Below this the bound leaves too little room to be useful; surely a typo ("512" for "512MiB").
    public static let minimumMaxOutboxBytes: Int64 = 1 << 20

    public var dataDirectory: String
    /// `DEVICE_ID`, validated; nil means "use `<data>/device_id`".
    public var deviceIDOverride: String?
    public var tenantID: String
    /// nil = standalone (R14).
    public var cloud: CloudEndpoint?
    /// `CLOUD_API_KEY`, in a type whose every text form is a placeholder.
    public var apiKey: APIKey?
    public var apiKeyConfigured: Bool { apiKey != nil }
    /// `CLOUD_CA_FILE`: PEM CA certificates to trust for `wss://`/`https://` instead of the system store.
    public var caFile: String?
    /// `CLOUD_TLS_INSECURE=1`: skip certificate verification. Never a default; warned at every connect.
    public var tlsInsecure: Bool
    public var durability: Durability
    public var maxOutboxBytes: Int64
    public var retentionMS: Int64

    public var isStandalone: Bool { cloud == nil }

    public static func parse(
        environment: [String: String], flags: Flags = Flags(),
        workingDirectory: String? = nil
    ) throws(ConfigurationError) -> ConnectorConfiguration {
        let checked = check(environment: environment, flags: flags, workingDirectory: workingDirectory)
        guard let configuration = checked.configuration else {
            throw checked.problems.first ?? ConfigurationError(.invalidSetting, "the configuration could not be read.")
        }
        return configuration
    }

    /// The outcome of reading every setting: the configuration when all of them are usable, and
    /// each unusable one otherwise (not only the first: `cloud-connector doctor` names them all).
    public struct Checked: Sendable {
        public let configuration: ConnectorConfiguration?
        public let problems: [ConfigurationError]
        /// Resolved even when other settings are not, so checks of the data directory can still run.
        public let dataDirectory: String?
    }

    public static func check(
        environment: [String: String], flags: Flags = Flags(), workingDirectory: String? = nil
    ) -> Checked {
        var problems: [ConfigurationError] = []
        func read<T>(_ body: () throws(ConfigurationError) -> T) -> T? {
            do {
                return try body()
            } catch {
                problems.append(error)
                return nil
            }
        }
        // In this order, so `parse` keeps naming the same first problem.
        let dataDirectory = read { () throws(ConfigurationError) in
            try DataDirectory.resolvePath(flag: flags.dataDirectory, environment: environment, workingDirectory: workingDirectory)
        }
        let deviceID = read { () throws(ConfigurationError) in
            try Self.identifier("DEVICE_ID", environment["DEVICE_ID"], unsetMeans: "to use <data>/device_id")
        }
        let tenantID = read { () throws(ConfigurationError) in
            try Self.identifier("TENANT_ID", environment["TENANT_ID"], unsetMeans: "for the default tenant local")
        }
        let cloud = read { () throws(ConfigurationError) in try CloudEndpoint.parse(environment: environment) }
        let caFile = read { () throws(ConfigurationError) in try Self.caFile(environment["CLOUD_CA_FILE"]) }
        let insecure = read { () throws(ConfigurationError) in try Self.flag("CLOUD_TLS_INSECURE", environment["CLOUD_TLS_INSECURE"]) }
        let durability = read { () throws(ConfigurationError) in try Self.durability(flag: flags.durability, environment: environment) }
        let maxOutboxBytes = read { () throws(ConfigurationError) in
            try Self.maxOutboxBytes(flag: flags.maxOutboxBytes, environment: environment)
        }
        let retention = read { () throws(ConfigurationError) in try Self.retention(flag: flags.retention, environment: environment) }
        guard problems.isEmpty, let dataDirectory, let deviceID, let tenantID, let cloud, let caFile, let insecure,
            let durability, let maxOutboxBytes, let retention
        else {
            return Checked(configuration: nil, problems: problems, dataDirectory: dataDirectory)
        }
        let configuration = ConnectorConfiguration(
            dataDirectory: dataDirectory, deviceIDOverride: deviceID, tenantID: tenantID ?? DeviceIdentity.defaultTenant,
            cloud: cloud, apiKey: (environment["CLOUD_API_KEY"]).flatMap { $0.isEmpty ? nil : APIKey($0) },
            caFile: caFile, tlsInsecure: insecure, durability: durability, maxOutboxBytes: maxOutboxBytes,
            retentionMS: retention)
        return Checked(configuration: configuration, problems: [], dataDirectory: dataDirectory)
    }

    /// The store settings these values call for.
    public var outboxOptions: OutboxOptions {
        var options = OutboxOptions()
        options.durability = durability
        options.maxOutboxBytes = maxOutboxBytes
        return options
    }

    /// Empty counts as unset (an `env` file line `DEVICE_ID=` means "not set").
    static func identifier(_ name: String, _ value: String?, unsetMeans: String) throws(ConfigurationError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        if let problem = IdentifierRules.problem(with: value) {
            throw .invalid(
                name,
                "\(problem); it must be 1–\(IdentifierRules.maxLength) printable ASCII characters without spaces. Fix it, or unset it \(unsetMeans).")
        }
        return value
    }

    static func caFile(_ value: String?) throws(ConfigurationError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: value) else {
            throw .invalid("CLOUD_CA_FILE", "names \(value), which is not a readable file. Point it at a PEM file of CA certificates, or unset it to use the system trust store.")
        }
        return value
    }

    static func flag(_ name: String, _ value: String?) throws(ConfigurationError) -> Bool {
        switch value?.lowercased() {
        case nil, "", "0", "false", "no": return false
        case "1", "true", "yes": return true
        case let other?: throw .invalid(name, "must be 1 or 0, not \"\(other)\".")
        }
    }

    static func durability(flag: String?, environment: [String: String]) throws(ConfigurationError) -> Durability {
        let (name, text) = chosen(flag: flag, flagName: "--durability", environment: environment, variable: "OUTBOX_DURABILITY")
        guard let text else { return .full }
        guard let value = Durability(rawValue: text.lowercased()) else {
            throw .invalid(name, "must be full or normal, not \"\(text)\" (full is the default and the only mode that survives power loss).")
        }
        return value
    }

    static func maxOutboxBytes(flag: String?, environment: [String: String]) throws(ConfigurationError) -> Int64 {
        let (name, text) = chosen(flag: flag, flagName: "--max-outbox-bytes", environment: environment, variable: "OUTBOX_MAX_BYTES")
        guard let text else { return defaultMaxOutboxBytes }
        guard let bytes = ByteCount.parse(text) else {
            throw .invalid(name, "must be a size such as 512MiB, 1GiB or a plain number of bytes, not \"\(text)\".")
        }
        guard bytes >= minimumMaxOutboxBytes else {
            throw .invalid(name, "is \(bytes) bytes; the outbox bound must be at least 1MiB (did you mean \(text)MiB?).")
        }
        return bytes
    }

    static func retention(flag: String?, environment: [String: String]) throws(ConfigurationError) -> Int64 {
        let (name, text) = chosen(flag: flag, flagName: "--retention", environment: environment, variable: "OUTBOX_RETENTION")
        guard let text else { return defaultRetentionMS }
        guard let milliseconds = DurationText.parseMilliseconds(text) else {
            throw .invalid(name, "must be a duration such as 30d, 12h or 90m, not \"\(text)\".")
        }
        return milliseconds
    }

    /// The flag if given, else the variable if set and non-empty; with the name to blame in errors.
    private static func chosen(
        flag: String?, flagName: String, environment: [String: String], variable: String
    ) -> (name: String, text: String?) {
        if let flag { return (flagName, flag) }
        if let value = environment[variable], !value.isEmpty { return (variable, value) }
        return (variable, nil)
    }
}
