internal import ConnectorCore

/// The admin endpoint's JSON form of `CloudFaults`:
/// `{"drop_after_frames": N|null, "ack_delay_ms": N|null, "withhold_acks": bool, "refuse_tokens": bool,
///   "refused_devices": [..], "silent": bool, "announced_tenant": "t"|null}`; absent fields = off.
enum FaultsJSON {
    static func encode(_ faults: CloudFaults) -> JSONValue {
        [
            "drop_after_frames": faults.dropAfterFrames.map { .number(JSONNumber(Int64($0))) } ?? .null,
            "ack_delay_ms": faults.ackDelay.map { .number(JSONNumber($0.milliseconds)) } ?? .null,
            "withhold_acks": .bool(faults.withholdAcks), "refuse_tokens": .bool(faults.refuseTokens),
            "refused_devices": .array(faults.refusedDevices.sorted().map { .string($0) }),
            "silent": .bool(faults.silent),
            "announced_tenant": faults.announcedTenant.map { .string($0) } ?? .null,
        ]
    }

    static func decode(_ value: JSONValue) -> CloudFaults? {
        guard value.objectValue != nil else { return nil }
        var faults = CloudFaults()
        faults.dropAfterFrames = value["drop_after_frames"]?.numberValue?.int64.map { Int($0) }
        faults.ackDelay = value["ack_delay_ms"]?.numberValue?.int64.map { .milliseconds($0) }
        faults.withholdAcks = value["withhold_acks"]?.boolValue ?? false
        faults.refuseTokens = value["refuse_tokens"]?.boolValue ?? false
        faults.refusedDevices = Set(value["refused_devices"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        faults.silent = value["silent"]?.boolValue ?? false
        faults.announcedTenant = value["announced_tenant"]?.stringValue
        return faults
    }
}
