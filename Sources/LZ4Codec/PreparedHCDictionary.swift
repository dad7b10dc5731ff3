internal import CLZ4

/// A dictionary already indexed into an LZ4 HC state (`LZ4_loadDictHC`) at one level, so each HC
/// compression copies 256 KiB of state (5–8 µs measured) instead of zeroing that state and
/// inserting every dictionary position again (about 18 µs for a 16 KiB dictionary): per ~1 KB
/// message that made level 9 take 17 µs instead of 30.
///
/// lz4hc.h names copying a pre-loaded state as the alternative to `LZ4_attach_HC_dictionary`,
/// which the shared liblz4 does not export. The level is part of the entry because the shared
/// library does not export `LZ4_setCompressionLevel` either: the only exported way to set it is
/// `LZ4_resetStreamHC_fast`, which also forgets the dictionary, so it must precede the load.
/// (Loading per level also stays right on liblz4 versions whose dictionary indexing depends on it.)
///
/// The template points into `storage`, which this object allocates and never moves or frees
/// before `deinit`; an `[UInt8]` could not promise a stable address.
final class PreparedHCDictionary {
    let fingerprint: UInt64
    let count: Int
    let level: Int32
    private let storage: UnsafeMutableRawBufferPointer
    let template: LZ4HCStreamState

    init(_ dictionary: LZ4Dictionary, level: Int32) {
        fingerprint = dictionary.fingerprint
        count = dictionary.bytes.count
        self.level = level
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        dictionary.bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        template = LZ4HCStreamState()
        LZ4_resetStreamHC_fast(template.stream, level)
        let loaded = LZ4_loadDictHC(
            template.stream, storage.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(count))
        precondition(loaded == Int32(count), "LZ4_loadDictHC kept \(loaded) of \(count) bytes")
    }

    func matches(_ dictionary: LZ4Dictionary, level: Int32) -> Bool {
        self.level == level && fingerprint == dictionary.fingerprint && count == dictionary.bytes.count
    }

    deinit {
        storage.deallocate()
    }
}
