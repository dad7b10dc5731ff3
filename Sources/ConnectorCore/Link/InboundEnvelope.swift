/// One decoded cloud → device frame with its envelope fields (PROTOCOL §2).
///
/// Decoding is lenient where the contract allows it and strict where the link acts on a value:
/// unknown fields are ignored; `id` and `ts` are optional (peers that only send `ping` often omit
/// them), but must be strings when present; an absent or null `payload` reads as `{}`, so a bare
/// `{"type":"ping"}` works while `{"type":"ack"}` still fails on its missing `seq`.
public struct InboundEnvelope: Sendable, Equatable {
    /// PROTOCOL §1: frames above 1 MiB are refused before they are parsed.
    public static let maxFrameBytes = 1_048_576

    public var id: String?
    public var ts: String?
    public var frame: InboundFrame

    public init(id: String? = nil, ts: String? = nil, frame: InboundFrame) {
        self.id = id
        self.ts = ts
        self.frame = frame
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameDecodeError) -> InboundEnvelope {
        guard bytes.count <= maxFrameBytes else {
            throw .tooLarge(byteCount: bytes.count, limit: maxFrameBytes)
        }
        let root: JSONValue
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw .invalidJSON(error)
        }
        return try decode(root)
    }

    public static func decode(_ bytes: [UInt8]) throws(FrameDecodeError) -> InboundEnvelope {
        // withUnsafeBytes is rethrows, which erases the typed error; carry it out in a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FrameDecodeError) -> InboundEnvelope in try decode(raw) }
        }
        return try result.get()
    }

    public static func decode(_ text: String) throws(FrameDecodeError) -> InboundEnvelope {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(FrameDecodeError) -> InboundEnvelope in try decode(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    static func decode(_ root: JSONValue) throws(FrameDecodeError) -> InboundEnvelope {
        guard let envelope = root.objectValue else { throw .notAnObject }
        guard let typeValue = envelope["type"], !typeValue.isNull else { throw .missingType }
        guard let type = typeValue.stringValue, !type.isEmpty else {
            throw .invalidField(frameType: nil, PayloadError(path: "type", reason: "must be a non-empty string"))
        }
        let id = try optionalEnvelopeString(envelope, "id", type: type)
        let ts = try optionalEnvelopeString(envelope, "ts", type: type)
        guard let known = InboundFrameType(rawValue: type) else {
            return InboundEnvelope(id: id, ts: ts, frame: .unknown(type: type))
        }
        do {
            // JSONValue is nil-literal expressible, so spell out "absent or null".
            var payloadValue = JSONValue.object(JSONObject())
            if let given = envelope["payload"], !given.isNull { payloadValue = given }
            let payload = try PayloadReader(payloadValue, path: "payload")
            return InboundEnvelope(id: id, ts: ts, frame: try InboundPayloads.decode(known, payload))
        } catch {
            throw .invalidField(frameType: type, error)
        }
    }

    private static func optionalEnvelopeString(
        _ envelope: JSONObject, _ key: String, type: String
    ) throws(FrameDecodeError) -> String? {
        guard let value = envelope[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw .invalidField(frameType: type, PayloadError(path: key, reason: "must be a string"))
        }
        return text
    }
}

extension InboundFrame {
    /// The frame alone, for callers that do not log envelope ids.
    public static func decode(_ text: String) throws(FrameDecodeError) -> InboundFrame {
        try InboundEnvelope.decode(text).frame
    }

    public static func decode(_ bytes: [UInt8]) throws(FrameDecodeError) -> InboundFrame {
        try InboundEnvelope.decode(bytes).frame
    }
}
