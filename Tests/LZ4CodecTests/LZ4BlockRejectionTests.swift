import Testing

@testable import LZ4Codec

/// Stored blocks come back from disk, where they may be damaged or paired with the wrong row
/// metadata: every such case must throw, never crash or read out of bounds.
@Suite struct LZ4BlockRejectionTests {
    static let message = Fixtures.heldOut[3]
    static let compressed = LZ4Block.compress(message, dictionary: Fixtures.dictionary)!

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

    /// A block has no checksum, so an equally long but different dictionary cannot be detected;
    /// the decoder must still stay in bounds and must not hand back the original by accident.
    @Test func sameSizeWrongDictionaryNeverYieldsTheOriginal() {
        let wrong = LZ4Dictionary(bytes: Fixtures.random(Fixtures.dictionary.bytes.count, seed: 3))
        let restored = try? LZ4Block.decompress(Self.compressed, originalSize: Self.message.count, dictionary: wrong)
        #expect(restored != Self.message)
    }

    @Test func everyTruncationThrows() {
        for length in 0..<Self.compressed.count {
            let truncated = Array(Self.compressed.prefix(length))
            #expect(throws: LZ4Error.self) {
                try LZ4Block.decompress(truncated, originalSize: Self.message.count, dictionary: Fixtures.dictionary)
            }
        }
    }

    @Test func garbageThrows() {
        for seed in UInt64(0)..<200 {
            let garbage = Fixtures.random(1 + Int(seed % 97) * 7, seed: seed)
            #expect(throws: LZ4Error.self) {
                try LZ4Block.decompress(garbage, originalSize: 1000, dictionary: seed % 2 == 0 ? nil : Fixtures.dictionary)
            }
        }
    }

    @Test func flippedBytesNeverCrash() {
        // Corruption may still decode to the right length; the point is staying in bounds.
        for index in Self.compressed.indices {
            var damaged = Self.compressed
            damaged[index] ^= 0x5a
            _ = try? LZ4Block.decompress(damaged, originalSize: Self.message.count, dictionary: Fixtures.dictionary)
        }
    }

    @Test(arguments: [-1, 1, 64])
    func originalSizeMismatchThrows(delta: Int) {
        #expect(throws: LZ4Error.self) {
            try LZ4Block.decompress(
                Self.compressed, originalSize: Self.message.count + delta, dictionary: Fixtures.dictionary)
        }
    }

    @Test(arguments: [-1, Int.max, Int(Int32.max), 1 << 40])
    func absurdOriginalSizeThrowsBeforeAllocating(size: Int) {
        #expect(throws: LZ4Error.self) {
            try LZ4Block.decompress(Self.compressed, originalSize: size, dictionary: Fixtures.dictionary)
        }
    }

    @Test func emptyInputThrows() {
        #expect(throws: LZ4Error.self) {
            try LZ4Block.decompress([], originalSize: 0, dictionary: nil)
        }
    }
}
