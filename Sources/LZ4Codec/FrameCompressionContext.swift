internal import CLZ4

/// Owns an `LZ4F_cctx` and the one output buffer it compresses into, so the writer never needs
/// more than a block's worth of memory however much is streamed through it.
final class FrameCompressionContext {
    /// Input is fed to liblz4 in pieces of at most this size, so the output buffer can be sized
    /// once with `LZ4F_compressBound` and reused for every call.
    static let chunkSize = 64 * 1024

    private let context: OpaquePointer
    private var preferences: LZ4F_preferences_t
    let buffer: UnsafeMutableRawBufferPointer

    init() throws(LZ4Error) {
        var created: OpaquePointer?
        let status = LZ4F_createCompressionContext(&created, UInt32(LZ4F_VERSION))
        guard let created, LZ4F_isError(status) == 0 else {
            throw LZ4Error(reason: "cannot create frame compression context: \(frameErrorName(status))")
        }
        context = created
        // The same settings the stock `lz4` tool verifies by default: a content checksum catches a
        // damaged archive, linked blocks compress small JSONL lines better than independent ones.
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockMode = LZ4F_blockLinked
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        preferences.compressionLevel = 0
        self.preferences = preferences
        let capacity = max(LZ4F_compressBound(Self.chunkSize, &preferences), Int(LZ4F_HEADER_SIZE_MAX))
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Writes the frame header into `buffer`; returns its length.
    func begin() throws(LZ4Error) -> Int {
        try check(LZ4F_compressBegin(context, buffer.baseAddress, buffer.count, &preferences), "begin")
    }

    /// Compresses at most `chunkSize` bytes into `buffer`; returns how many bytes were produced
    /// (often zero: liblz4 buffers until a block is full).
    func update(_ chunk: UnsafeRawBufferPointer) throws(LZ4Error) -> Int {
        precondition(chunk.count <= Self.chunkSize)
        return try check(
            LZ4F_compressUpdate(context, buffer.baseAddress, buffer.count, chunk.baseAddress, chunk.count, nil),
            "update")
    }

    /// Flushes buffered input and writes the end mark and content checksum into `buffer`.
    func end() throws(LZ4Error) -> Int {
        try check(LZ4F_compressEnd(context, buffer.baseAddress, buffer.count, nil), "end")
    }

    private func check(_ result: Int, _ step: String) throws(LZ4Error) -> Int {
        guard LZ4F_isError(result) == 0 else {
            throw LZ4Error(reason: "frame compression (\(step)) failed: \(frameErrorName(result))")
        }
        return result
    }

    deinit {
        LZ4F_freeCompressionContext(context)
        buffer.deallocate()
    }
}

func frameErrorName(_ code: Int) -> String {
    guard let name = LZ4F_getErrorName(code) else { return "error \(code)" }
    return String(cString: name)
}
