/// Why an inbound frame was dropped (PROTOCOL §1, R15). The shell logs it and keeps the link up;
/// none of these texts can contain more of the frame than one field name.
public enum FrameDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Larger than `InboundEnvelope.maxFrameBytes`; not parsed at all.
    case tooLarge(byteCount: Int, limit: Int)
    /// A binary WebSocket frame: the protocol has none.
    case binaryFrame(byteCount: Int)
    case invalidJSON(JSONParseError)
    /// Valid JSON, but not an object.
    case notAnObject
    /// No `type`, or a null one.
    case missingType
    /// A field the link reads is present with the wrong type, or a required one is absent.
    /// `frameType` is nil for envelope fields read before the type is known.
    case invalidField(frameType: String?, PayloadError)

    public var description: String {
        switch self {
        case .tooLarge(let byteCount, let limit):
            "frame of \(byteCount) bytes is larger than the \(limit)-byte limit"
        case .binaryFrame(let byteCount):
            "binary frame of \(byteCount) bytes (the protocol uses text frames only)"
        case .invalidJSON(let error):
            "\(error)"
        case .notAnObject:
            "frame is not a JSON object"
        case .missingType:
            "frame has no type"
        case .invalidField(let frameType?, let error):
            "\(frameType) frame: \(error)"
        case .invalidField(nil, let error):
            "frame envelope: \(error)"
        }
    }
}
