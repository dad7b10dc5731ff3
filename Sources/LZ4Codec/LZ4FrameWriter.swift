/// Streams an LZ4 frame (lz4frame API: content checksum on, block checksum off, linked blocks) to a sink.
/// The output is a standard frame, so `lz4 -d` reads archives and exports without our code.
/// Not Sendable: one owner writes, in order.
public final class LZ4FrameWriter {
    private enum State {
        case open
        case finished
        /// A failed sink or compression step leaves a frame with a gap; nothing written after it
        /// could be decoded, so the writer refuses further work.
        case failed
    }

    private let context: FrameCompressionContext
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var state = State.open

    /// Uncompressed bytes accepted.
    public private(set) var bytesIn = 0
    /// Compressed bytes emitted to the sink, header and trailer included.
    public private(set) var bytesOut = 0

    /// Writes the frame header immediately, so a sink that cannot accept data fails here rather
    /// than on the first message.
    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        context = try FrameCompressionContext()
        self.sink = sink
        try emit(context.begin())
    }

    /// Writes to an fd the caller owns and closes; short writes and EINTR are retried.
    public convenience init(fileDescriptor: Int32) throws {
        try self.init(sink: { bytes in try FileDescriptorOutput.writeAll(bytes, to: fileDescriptor) })
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try requireOpen()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + FrameCompressionContext.chunkSize, bytes.count)
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            try emit(context.update(chunk))
            offset = end
            bytesIn += chunk.count
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes the end mark and content checksum; further writes (and finishes) throw.
    public func finish() throws {
        try requireOpen()
        try emit(context.end())
        state = .finished
    }

    private func requireOpen() throws(LZ4Error) {
        switch state {
        case .open: return
        case .finished: throw LZ4Error(reason: "frame already finished")
        case .failed: throw LZ4Error(reason: "frame writer failed earlier; the frame is incomplete")
        }
    }

    /// Hands the first `count` bytes of the context's buffer to the sink.
    private func emit(_ step: @autoclosure () throws -> Int) throws {
        do {
            let count = try step()
            if count > 0 {
                try sink(UnsafeRawBufferPointer(rebasing: context.buffer[..<count]))
                bytesOut += count
            }
        } catch {
            state = .failed
            throw error
        }
    }
}
