import LZ4Codec

/// Buffers export records and hands them to the destination in large writes, through an LZ4 frame
/// (readable by stock `lz4 -d`) when asked. Memory stays at one buffer whatever the export size.
final class ExportStream {
    static let bufferSize = 256 << 10

    private let destination: ExportDestination
    private let frame: LZ4FrameWriter?
    private var buffer: [UInt8] = []

    init(_ destination: ExportDestination, lz4: Bool) throws {
        self.destination = destination
        frame = lz4 ? try LZ4FrameWriter(sink: { try destination.write($0) }) : nil
        buffer.reserveCapacity(Self.bufferSize)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered and, for LZ4, the frame's end mark and checksum.
    func finish() throws {
        try flush()
        try frame?.finish()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        if let frame {
            try frame.write(buffer)
        } else {
            try buffer.withUnsafeBytes { try destination.write($0) }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
