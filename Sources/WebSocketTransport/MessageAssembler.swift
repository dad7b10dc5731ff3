/// Joins the chunks lws delivers (parts of frames, frames of fragmented messages) into messages,
/// holding at most `maxBytes`: past that the rest of the message is counted, not kept.
struct MessageAssembler {
    let maxBytes: Int
    private var inMessage = false
    private var isBinary = false
    private var dropping = false
    private var buffer: [UInt8] = []
    private var total = 0

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// Feeds one chunk. `isFirst` marks the first chunk of a message (it resynchronises, though
    /// lws never starts a message inside another); `announced` is what lws says is still to come
    /// of the current frame, so an oversized frame is dropped before any of it is buffered.
    /// Returns an event when the chunk ends a message.
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer, isBinary binary: Bool, isFirst: Bool = false, isFinal: Bool,
        announced: Int = 0
    ) -> WebSocketEvent? {
        if isFirst || !inMessage {
            inMessage = true
            isBinary = binary
            dropping = false
            buffer = []
            total = 0
        }
        total += chunk.count
        if !dropping {
            if isBinary || total + announced > maxBytes {
                dropping = true
                buffer = []
            } else {
                if buffer.isEmpty { buffer.reserveCapacity(min(maxBytes, total + announced)) }
                buffer.append(contentsOf: chunk)
            }
        }
        guard isFinal else { return nil }
        defer { reset() }
        if total > maxBytes { return .oversized(byteCount: total, isBinary: isBinary) }
        if isBinary { return .binary(byteCount: total) }
        return .text(String(decoding: buffer, as: UTF8.self))
    }

    private mutating func reset() {
        inMessage = false
        dropping = false
        buffer = []
        total = 0
    }
}
