/// The last few KiB a handler wrote to stderr: enough for the error that made it fail, bounded
/// however much it writes.
struct StderrTail {
    static let capacity = 4096
    /// Characters of the cleaned tail that go into a failure message.
    static let shownCharacters = 500

    private var bytes: [UInt8] = []

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if chunk.count >= Self.capacity {
            bytes = Array(chunk.suffix(Self.capacity))
            return
        }
        bytes.append(contentsOf: chunk)
        if bytes.count > Self.capacity { bytes.removeFirst(bytes.count - Self.capacity) }
    }

    /// Printable, single-line, at most ~500 characters; empty when the handler wrote nothing.
    var shown: String {
        DisplayText.tail(String(decoding: bytes, as: UTF8.self), limit: Self.shownCharacters)
    }
}
