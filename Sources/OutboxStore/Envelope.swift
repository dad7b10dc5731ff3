public import ConnectorCore

/// The wire form of an outbox message (PROTOCOL §2). Built from stored parts, so every resend carries
/// the same id, ts, seq and payload bytes (R2).
public enum Envelope {
    /// Frames are at most 1 MiB (PROTOCOL §1, R3).
    public static let maxFrameBytes = 1_048_576

    public static func encode(
        type: OutboxMessageType, id: MessageID, createdAtMS: Int64, seq: Int64, payload: [UInt8]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 120)
        out.append(contentsOf: #"{"type":""#.utf8)
        out.append(contentsOf: type.rawValue.utf8)
        out.append(contentsOf: #"","id":""#.utf8)
        out.append(contentsOf: id.description.utf8)
        out.append(contentsOf: #"","ts":""#.utf8)
        out.append(contentsOf: RFC3339.format(milliseconds: createdAtMS).utf8)
        out.append(contentsOf: #"","seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: #","payload":"#.utf8)
        out.append(contentsOf: payload)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The encoded size of an envelope around `payloadBytes`, taking the longest possible seq, so a
    /// message accepted at append time can never exceed the frame limit when it is sent.
    public static func worstCaseSize(type: OutboxMessageType, payloadBytes: Int) -> Int {
        let fixed = #"{"type":"","id":"","ts":"","seq":,"payload":}"#.utf8.count
        return fixed + type.rawValue.utf8.count + 36 + 24 + 19 + payloadBytes
    }
}
