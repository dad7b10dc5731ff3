internal import CLZ4

/// A dictionary already hashed into an LZ4 stream state (`LZ4_loadDict`), so each compression only
/// has to copy 16 KiB of state instead of re-hashing up to 64 KiB of dictionary.
///
/// The shared liblz4 does not export `LZ4_attach_dictionary` (it is a static-linking-only symbol),
/// so copying the prepared state is the supported alternative lz4.h itself describes.
///
/// The template points into `storage`, which this object allocates and never moves or frees
/// before `deinit`; an `[UInt8]` could not promise a stable address.
final class PreparedDictionary {
    let fingerprint: UInt64
    let count: Int
    private let storage: UnsafeMutableRawBufferPointer
    let template: LZ4StreamState

    init(_ dictionary: LZ4Dictionary) {
        fingerprint = dictionary.fingerprint
        count = dictionary.bytes.count
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        dictionary.bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        template = LZ4StreamState()
        let loaded = LZ4_loadDict(
            template.stream, storage.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(count))
        precondition(loaded == Int32(count), "LZ4_loadDict kept \(loaded) of \(count) bytes")
    }

    func matches(_ dictionary: LZ4Dictionary) -> Bool {
        fingerprint == dictionary.fingerprint && count == dictionary.bytes.count
    }

    deinit {
        storage.deallocate()
    }
}
