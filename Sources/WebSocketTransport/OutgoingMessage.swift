internal import CWebSockets

/// A message ready for `lws_write`: each frame already carries `LWS_PRE` bytes of headroom, built
/// on the sender's thread so the service thread only writes.
struct OutgoingMessage: Sendable {
    enum Kind: Sendable {
        case text
        case binary
        case ping
    }

    let kind: Kind
    /// One element per WebSocket frame; more than one means a fragmented message.
    var frames: [[UInt8]]
    let payloadBytes: Int

    static let headroom = Int(cws_lws_pre())

    init(kind: Kind, fragments: [[UInt8]]) {
        self.kind = kind
        self.frames = fragments.map { payload in
            var frame = [UInt8](repeating: 0, count: Self.headroom)
            frame.append(contentsOf: payload)
            return frame
        }
        self.payloadBytes = fragments.reduce(0) { $0 + $1.count }
    }

    /// The `lws_write_protocol` flags for frame `index`.
    func writeFlags(frame index: Int) -> lws_write_protocol {
        switch kind {
        case .ping:
            return LWS_WRITE_PING
        case .text, .binary:
            let initial = kind == .text ? LWS_WRITE_TEXT : LWS_WRITE_BINARY
            let flags = lws_write_ws_flags(
                Int32(initial.rawValue), index == 0 ? 1 : 0, index == frames.count - 1 ? 1 : 0)
            return lws_write_protocol(rawValue: UInt32(flags))
        }
    }
}
