internal import ConnectorCore

/// The admin endpoint's JSON form of `CloudFaults`:
/// `{"drop_after_frames": N|null, "ack_delay_ms": N|null, "withhold_acks": bool, "refuse_tokens": bool,
///   "refused_devices": [..], "silent": bool, "announced_tenant": "t"|null, "count_resends": bool,
///   "ack_unreceived": bool, "ignore_heartbeats": bool}`; absent fields = off.
enum FaultsJSON {
    static let keys: Set<String> = [
        "drop_after_frames", "ack_delay_ms", "withhold_acks", "refuse_tokens", "refused_devices", "silent",
        "announced_tenant", "count_resends", "ack_unreceived", "ignore_heartbeats",
    ]

    /// The on/off faults, by key: also the names `reference-cloud serve --fault` takes.
    static let switches: [(key: String, path: any WritableKeyPath<CloudFaults, Bool> & Sendable)] = [
        ("withhold_acks", \.withholdAcks), ("refuse_tokens", \.refuseTokens), ("silent", \.silent),
        ("count_resends", \.countResends), ("ack_unreceived", \.ackUnreceived), ("ignore_heartbeats", \.ignoreHeartbeats),
    ]

    static func encode(_ faults: CloudFaults) -> JSONValue {
        [
            "drop_after_frames": faults.dropAfterFrames.map { .number(JSONNumber(Int64($0))) } ?? .null,
            "ack_delay_ms": faults.ackDelay.map { .number(JSONNumber($0.milliseconds)) } ?? .null,
            "withhold_acks": .bool(faults.withholdAcks), "refuse_tokens": .bool(faults.refuseTokens),
            "refused_devices": .array(faults.refusedDevices.sorted().map { .string($0) }),
            "silent": .bool(faults.silent),
            "announced_tenant": faults.announcedTenant.map { .string($0) } ?? .null,
            "count_resends": .bool(faults.countResends), "ack_unreceived": .bool(faults.ackUnreceived),
            "ignore_heartbeats": .bool(faults.ignoreHeartbeats),
        ]
    }

    /// Why a faults body was refused; `message` names the offending key.
    struct Invalid: Error {
        var message: String
    }

    /// Strict on purpose: this used to read a misspelt key or a wrongly typed value
    /// (`"withold_acks": true`, `"drop_after_frames": "3"`) as "fault off" and answer 200, so a test
    /// believed a fault was in force that was not, and passed for the wrong reason. Now such a body
    /// is a 400 naming the key, and nothing changes.
    static func decode(_ value: JSONValue) throws(Invalid) -> CloudFaults {
        guard let object = value.objectValue else { throw Invalid(message: "expected a JSON object of fault modes") }
        if let unknown = object.keys.first(where: { !keys.contains($0) }) {
            throw Invalid(message: "unknown fault \"\(unknown)\"; known: \(keys.sorted().joined(separator: ", "))")
        }
        var faults = CloudFaults()
        faults.dropAfterFrames = try count(value, "drop_after_frames").map { Int($0) }
        faults.ackDelay = try count(value, "ack_delay_ms").map { .milliseconds($0) }
        for (key, path) in switches { faults[keyPath: path] = try flag(value, key) }
        if let devices = value["refused_devices"], !devices.isNull {
            guard let names = devices.arrayValue?.compactMap(\.stringValue), names.count == devices.arrayValue?.count else {
                throw Invalid(message: "\"refused_devices\" must be an array of device ids")
            }
            faults.refusedDevices = Set(names)
        }
        if let tenant = value["announced_tenant"], !tenant.isNull {
            guard let name = tenant.stringValue else { throw Invalid(message: "\"announced_tenant\" must be a string or null") }
            faults.announcedTenant = name
        }
        return faults
    }

    private static func flag(_ value: JSONValue, _ key: String) throws(Invalid) -> Bool {
        guard let field = value[key], !field.isNull else { return false }
        guard let flag = field.boolValue else { throw Invalid(message: "\"\(key)\" must be true or false") }
        return flag
    }

    private static func count(_ value: JSONValue, _ key: String) throws(Invalid) -> Int64? {
        guard let field = value[key], !field.isNull else { return nil }
        guard let number = field.numberValue?.int64, number >= 0 else {
            throw Invalid(message: "\"\(key)\" must be a non-negative integer or null")
        }
        return number
    }
}

extension CloudFaults {
    /// The on/off faults by the names the admin endpoint's JSON uses (`withhold_acks`, ...), which
    /// `reference-cloud serve --fault NAME` takes too.
    public static var switchNames: [String] { FaultsJSON.switches.map(\.key) }

    /// Turns on the on/off fault called `name`; false when no fault has that name.
    public mutating func switchOn(_ name: String) -> Bool {
        guard let path = FaultsJSON.switches.first(where: { $0.key == name })?.path else { return false }
        self[keyPath: path] = true
        return true
    }
}
