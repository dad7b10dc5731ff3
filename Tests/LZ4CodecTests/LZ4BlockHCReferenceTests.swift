import CLZ4
import Testing

@testable import LZ4Codec

/// Checks HC blocks against liblz4 itself, not only against our own decoder: the reused
/// per-thread states must give exactly what a freshly set-up liblz4 stream gives, and the output
/// must be what `LZ4_decompress_safe_usingDict` (any LZ4 decoder given the dictionary) expects.
@Suite struct LZ4BlockHCReferenceTests {
    static let levels: [Int32] = [3, 6, 9, 12]

    @Test(arguments: levels)
    func decodesWithLibLZ4UsingDict(level: Int32) throws {
        let dictionary = Fixtures.dictionary.bytes
        for message in Fixtures.heldOut.prefix(50) {
            let compressed = try #require(LZ4Block.compressHC(message, dictionary: Fixtures.dictionary, level: level))
            var restored = [UInt8](repeating: 0, count: message.count)
            let decoded = compressed.withUnsafeBytes { block in
                dictionary.withUnsafeBytes { dict in
                    restored.withUnsafeMutableBytes { output in
                        LZ4_decompress_safe_usingDict(
                            block.baseAddress!.assumingMemoryBound(to: CChar.self),
                            output.baseAddress!.assumingMemoryBound(to: CChar.self),
                            Int32(block.count), Int32(output.count),
                            dict.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(dict.count))
                    }
                }
            }
            #expect(decoded == Int32(message.count))
            #expect(restored == message)
        }
    }

    /// Interleaves levels, dictionaries and no dictionary on one thread, so each call starts from a
    /// working state the previous call left dirty; the output must not depend on that history.
    @Test func outputMatchesAFreshLibLZ4Stream() throws {
        let other = LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(
            samples: Array(Fixtures.training.prefix(300)), capacity: 8192))
        let dictionaries: [LZ4Dictionary?] = [Fixtures.dictionary, nil, other]
        for (index, message) in Fixtures.heldOut.prefix(120).enumerated() {
            let dictionary = dictionaries[index % dictionaries.count]
            let level = Self.levels[(index / 3) % Self.levels.count]
            let ours = LZ4Block.compressHC(message, dictionary: dictionary, level: level)
            #expect(ours == Self.reference(message, dictionary: dictionary, level: level))
        }
    }

    /// Straight from lz4hc.h's streaming recipe, with a state that exists for one call only.
    static func reference(_ input: [UInt8], dictionary: LZ4Dictionary?, level: Int32) -> [UInt8]? {
        let stream = LZ4_createStreamHC()!
        defer { LZ4_freeStreamHC(stream) }
        LZ4_resetStreamHC_fast(stream, level)
        let bytes = dictionary?.bytes ?? []
        var output = [UInt8](repeating: 0, count: input.count - 1)
        let written = bytes.withUnsafeBytes { dict in
            _ = LZ4_loadDictHC(stream, dict.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(dict.count))
            return input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    LZ4_compress_HC_continue(
                        stream, source.baseAddress!.assumingMemoryBound(to: CChar.self),
                        destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                        Int32(source.count), Int32(destination.count))
                }
            }
        }
        return written > 0 ? Array(output.prefix(Int(written))) : nil
    }
}
