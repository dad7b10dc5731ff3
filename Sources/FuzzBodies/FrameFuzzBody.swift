import ConnectorCore

/// The body of the frame fuzzer (tools/fuzz), shared with the corpus regression test: one input
/// through every pure decoder and validator an inbound frame meets. Throwing is fine, crashing is a
/// bug; a broken round-trip property comes back as a message (the fuzzer turns it into a crash).
public enum FrameFuzzBody {
    /// The tenant `ExecutionRequest.validate` checks against; the corpus uses it too.
    public static let deviceTenant = "tenant-1"

    /// Runs `bytes` through the decoders and validators; returns the properties that did not hold.
    /// `plantedBug` is the negative control (`FRAME_FUZZER_PLANTED_BUG=1 tools/fuzz`): it reports a
    /// `capability_reload` without a `version` as a violation, which the fuzzer must find.
    public static func run(_ bytes: UnsafeRawBufferPointer, plantedBug: Bool = false) -> [String] {
        var violations: [String] = []

        // The frame decoder, exactly as the link calls it.
        if let envelope = try? InboundEnvelope.decode(bytes) {
            checkFrame(envelope, &violations)
            if plantedBug, case .capabilityReload(let reload) = envelope.frame, reload.version == nil {
                violations.append("planted bug: a capability_reload without a version")
            }
        }

        // The JSON layer under it, with its round trip: parse → encode → parse gives the same value,
        // and encoding is byte-stable (a resend is byte-for-byte the first send).
        guard let value = try? JSON.parse(bytes) else { return violations }
        let encoded = JSON.encode(value)
        switch Result(catching: { () throws(JSONParseError) -> JSONValue in try JSON.parse(encoded) }) {
        case .success(let reparsed):
            if reparsed != value { violations.append("JSON.parse(JSON.encode(v)) != v for \(value)") }
            if JSON.encode(reparsed) != encoded { violations.append("JSON.encode is not byte-stable for \(value)") }
        case .failure(let error):
            violations.append("JSON.encode produced text JSON.parse refuses (\(error)): \(value)")
        }
        _ = JSON.encodePretty(value)
        _ = Redaction.redact(value)

        // The payload validators, over the whole document and over its `payload`, so that both the
        // fuzzer's raw objects and well-formed envelopes reach them.
        var candidates = [value]
        if let payload = value["payload"] { candidates.append(payload) }
        for candidate in candidates {
            for type in OutboxMessageType.allCases {
                _ = try? OutboxPayload.validate(type: type, payload: candidate)
            }
            if let object = candidate.objectValue {
                checkRequest(object, &violations)
            }
            visitStrings(candidate) { text in _ = RFC3339.parseMilliseconds(text) }
        }
        return violations
    }

    public static func run(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { run($0) }
    }

    private static func checkFrame(_ envelope: InboundEnvelope, _ violations: inout [String]) {
        switch envelope.frame {
        case .executionRequest(let request), .messagingEvent(let request):
            // What TransportHandler does with an accepted execution_request.
            checkRequest(request.payload, &violations)
            _ = request.description
        case .error(let error):
            _ = error.refusal?.closeCode
        case .connectAck(let ack):
            if ack.maxInflight <= 0 { violations.append("connect_ack decoded max_inflight \(ack.maxInflight)") }
            if ack.heartbeatInterval <= .zero { violations.append("connect_ack decoded a heartbeat interval <= 0") }
            if ack.ackedSeq < 0 { violations.append("connect_ack decoded a negative acked_seq") }
        case .ack(let seq):
            if seq < 0 { violations.append("ack decoded a negative seq") }
        case .heartbeatAck, .executionCancel, .capabilityReload, .ping, .unknown:
            break
        }
        _ = envelope.frame.type
    }

    private static func checkRequest(_ payload: JSONObject, _ violations: inout [String]) {
        guard let request = try? ExecutionRequest.validate(payload, deviceTenant: deviceTenant) else { return }
        if request.steps.isEmpty || request.steps.count > ExecutionRequest.maxSteps {
            violations.append("an accepted request has \(request.steps.count) steps")
        }
        if let timeout = request.timeoutMS, timeout <= 0 {
            violations.append("an accepted request has timeout_ms \(timeout)")
        }
        if let tenant = request.tenantID, tenant != deviceTenant {
            violations.append("a request for tenant \(tenant) was accepted")
        }
    }

    private static func visitStrings(_ value: JSONValue, _ body: (String) -> Void) {
        switch value {
        case .string(let text): body(text)
        case .array(let items): for item in items { visitStrings(item, body) }
        case .object(let object): for (_, item) in object { visitStrings(item, body) }
        case .null, .bool, .number: break
        }
    }
}
