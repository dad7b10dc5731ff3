import Testing

@testable import LZ4Codec

/// An HC block paired with the wrong dictionary (or damaged on disk) must throw or decode to
/// something other than the original, and never crash or read out of bounds.
@Suite struct LZ4BlockHCRejectionTests {
    static let message = Fixtures.heldOut[3]
    static let compressed = LZ4Block.compressHC(message, dictionary: Fixtures.dictionary, level: 9)!

    @Test func missingDictionaryThrows() {
        #expect(throws: LZ4Error.self) {
            try LZ4Block.decompress(Self.compressed, originalSize: Self.message.count, dictionary: nil)
        }
    }

    @Test func tooShortDictionaryThrows() {
        let wrong = LZ4Dictionary(bytes: Array("{\"type\":".utf8))
        #expect(throws: LZ4Error.self) {
            try LZ4Block.decompress(Self.compressed, originalSize: Self.message.count, dictionary: wrong)
        }
    }

    /// Same length, other content: undetectable without a checksum, so the guarantee is only that
    /// the original does not come back.
    @Test(arguments: [UInt64(3), 4, 5])
    func sameSizeWrongDictionaryNeverYieldsTheOriginal(seed: UInt64) {
        let wrong = LZ4Dictionary(bytes: Fixtures.random(Fixtures.dictionary.bytes.count, seed: seed))
        let restored = try? LZ4Block.decompress(Self.compressed, originalSize: Self.message.count, dictionary: wrong)
        #expect(restored != Self.message)
    }

    /// A plausible mix-up: another trained dictionary, which shares much of the same vocabulary.
    @Test(arguments: [Int32(3), 9, 12])
    func otherTrainedDictionaryNeverYieldsTheOriginals(level: Int32) {
        let other = LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(
            samples: Array(Fixtures.training.suffix(400)), capacity: 16 * 1024))
        for message in Fixtures.heldOut.prefix(40) {
            guard let compressed = LZ4Block.compressHC(message, dictionary: Fixtures.dictionary, level: level) else {
                continue
            }
            let restored = try? LZ4Block.decompress(compressed, originalSize: message.count, dictionary: other)
            #expect(restored != message)
        }
    }

    @Test func everyTruncationThrows() {
        for length in 0..<Self.compressed.count {
            #expect(throws: LZ4Error.self) {
                try LZ4Block.decompress(
                    Array(Self.compressed.prefix(length)), originalSize: Self.message.count,
                    dictionary: Fixtures.dictionary)
            }
        }
    }

    @Test func flippedBytesNeverCrash() {
        for index in Self.compressed.indices {
            var damaged = Self.compressed
            damaged[index] ^= 0x5a
            _ = try? LZ4Block.decompress(damaged, originalSize: Self.message.count, dictionary: Fixtures.dictionary)
        }
    }
}
