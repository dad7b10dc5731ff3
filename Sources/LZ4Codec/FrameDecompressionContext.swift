internal import CLZ4

/// Owns an `LZ4F_dctx` and a fixed output window, so decoding a large archive grows only the
/// result, not temporary buffers.
final class FrameDecompressionContext {
    private static let windowSize = 64 * 1024

    private let context: OpaquePointer
    private let window: UnsafeMutableRawBufferPointer

    struct Step {
        let consumed: Int
        let produced: UnsafeRawBufferPointer
        /// liblz4's hint of how many more input bytes it wants; 0 when a frame just ended.
        let hint: Int
    }

    init() throws(LZ4Error) {
        var created: OpaquePointer?
        let status = LZ4F_createDecompressionContext(&created, UInt32(LZ4F_VERSION))
        guard let created, LZ4F_isError(status) == 0 else {
            throw LZ4Error(reason: "cannot create frame decompression context: \(frameErrorName(status))")
        }
        context = created
        window = .allocate(byteCount: Self.windowSize, alignment: 16)
    }

    /// `produced` points into the window and is only valid until the next call.
    func decompress(_ input: UnsafeRawBufferPointer) throws(LZ4Error) -> Step {
        var consumed = input.count
        var produced = window.count
        let hint = LZ4F_decompress(context, window.baseAddress, &produced, input.baseAddress, &consumed, nil)
        guard LZ4F_isError(hint) == 0 else {
            throw LZ4Error(reason: "frame decompression failed: \(frameErrorName(hint))")
        }
        return Step(
            consumed: consumed, produced: UnsafeRawBufferPointer(rebasing: window[..<produced]), hint: hint)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        window.deallocate()
    }
}
