internal import CLZ4

/// Whole-buffer LZ4 frame helpers, for small payloads and for reading archives back.
public enum LZ4Frame {
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try LZ4FrameWriter { output.append(contentsOf: $0) }
        try writer.write(bytes)
        try writer.finish()
        return output
    }

    /// Decodes one frame or several concatenated ones (appending to an archive adds a frame);
    /// throws on a damaged, truncated or checksum-failing input.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw LZ4Error(reason: "empty input is not an LZ4 frame") }
        let decoder = try FrameDecompressionContext()
        var output: [UInt8] = []
        var pendingHint = 0
        try bytes.withUnsafeBytes { input in
            var offset = 0
            while true {
                let step = try decoder.decompress(UnsafeRawBufferPointer(rebasing: input[offset...]))
                output.append(contentsOf: step.produced)
                offset += step.consumed
                pendingHint = step.hint
                let progressed = step.consumed > 0 || !step.produced.isEmpty
                if offset == input.count && (pendingHint == 0 || !progressed) { break }
                guard progressed else { throw LZ4Error(reason: "frame decoder stopped making progress") }
            }
        }
        // A non-zero hint means liblz4 still expects input: the last frame is cut short.
        guard pendingHint == 0 else { throw LZ4Error(reason: "truncated LZ4 frame") }
        return output
    }
}
