import Testing

@testable import LZ4Codec

@Suite struct LZ4BlockRoundTripTests {
    static let dictionaries: [LZ4Dictionary?] = [nil, Fixtures.dictionary]

    @Test(arguments: dictionaries)
    func emptyAndOneByteInputsAreLeftRaw(dictionary: LZ4Dictionary?) {
        #expect(LZ4Block.compress([], dictionary: dictionary) == nil)
        #expect(LZ4Block.compress([0x7b], dictionary: dictionary) == nil)
    }

    @Test(arguments: dictionaries)
    func emptyBlockDecodesToNothing(dictionary: LZ4Dictionary?) throws {
        // A single zero token is the canonical LZ4 block for empty content.
        #expect(try LZ4Block.decompress([0], originalSize: 0, dictionary: dictionary) == [])
    }

    @Test(arguments: dictionaries)
    func incompressibleInputIsLeftRaw(dictionary: LZ4Dictionary?) {
        #expect(LZ4Block.compress(Fixtures.random(4096, seed: 7), dictionary: dictionary) == nil)
    }

    @Test(arguments: dictionaries)
    func realisticMessagesRoundTrip(dictionary: LZ4Dictionary?) throws {
        for message in Fixtures.heldOut {
            guard let compressed = LZ4Block.compress(message, dictionary: dictionary) else {
                Issue.record("a \(message.count)-byte JSON message did not compress")
                continue
            }
            #expect(compressed.count < message.count)
            let restored = try LZ4Block.decompress(compressed, originalSize: message.count, dictionary: dictionary)
            #expect(restored == message)
        }
    }

    @Test(arguments: dictionaries)
    func oneMebibyteRoundTrips(dictionary: LZ4Dictionary?) throws {
        let input = Fixtures.jsonLines(1 << 20, seed: 11)
        let compressed = try #require(LZ4Block.compress(input, dictionary: dictionary))
        #expect(compressed.count < input.count / 2)
        #expect(try LZ4Block.decompress(compressed, originalSize: input.count, dictionary: dictionary) == input)
    }

    /// Runs of one byte reach LZ4's maximum expansion (about 255:1), the edge of the size
    /// plausibility check in `decompress`.
    @Test func maximallyCompressibleInputRoundTrips() throws {
        let input = [UInt8](repeating: 0x20, count: 1 << 20)
        let compressed = try #require(LZ4Block.compress(input, dictionary: nil))
        #expect(compressed.count < input.count / 200)
        #expect(try LZ4Block.decompress(compressed, originalSize: input.count, dictionary: nil) == input)
    }

    @Test func rawBufferOverloadsMatchArrayOverloads() throws {
        let message = Fixtures.heldOut[0]
        let fromBuffer = message.withUnsafeBytes { LZ4Block.compress($0, dictionary: Fixtures.dictionary) }
        let compressed = try #require(fromBuffer)
        #expect(compressed == LZ4Block.compress(message, dictionary: Fixtures.dictionary))
        let restored = try compressed.withUnsafeBytes {
            try LZ4Block.decompress($0, originalSize: message.count, dictionary: Fixtures.dictionary)
        }
        #expect(restored == message)
    }

    @Test func dictionaryMakesSmallMessagesSmaller() throws {
        var withoutDictionary = 0
        var withDictionary = 0
        for message in Fixtures.heldOut {
            withoutDictionary += LZ4Block.compress(message, dictionary: nil)?.count ?? message.count
            withDictionary += LZ4Block.compress(message, dictionary: Fixtures.dictionary)?.count ?? message.count
        }
        #expect(Double(withDictionary) < Double(withoutDictionary) * 0.7)
    }

    @Test func emptyDictionaryBehavesLikeNone() throws {
        let message = Fixtures.heldOut[1]
        let empty = LZ4Dictionary(bytes: [])
        let compressed = try #require(LZ4Block.compress(message, dictionary: empty))
        #expect(compressed == LZ4Block.compress(message, dictionary: nil))
        #expect(try LZ4Block.decompress(compressed, originalSize: message.count, dictionary: nil) == message)
    }
}
