import Testing

@testable import LZ4Codec

/// HC writes ordinary LZ4 blocks, so everything here is decoded with the existing fast-mode
/// `LZ4Block.decompress`.
@Suite struct LZ4BlockHCRoundTripTests {
    static let dictionaries: [LZ4Dictionary?] = [nil, Fixtures.dictionary]
    static let levels: [Int32] = [3, 6, 9, 12]

    @Test(arguments: dictionaries, levels)
    func emptyAndOneByteInputsAreLeftRaw(dictionary: LZ4Dictionary?, level: Int32) {
        #expect(LZ4Block.compressHC([], dictionary: dictionary, level: level) == nil)
        #expect(LZ4Block.compressHC([0x7b], dictionary: dictionary, level: level) == nil)
    }

    /// Tiny inputs may or may not shrink (a dictionary lets a short, familiar fragment become one
    /// match); whichever happens, a block that comes back must decode to the input.
    @Test(arguments: dictionaries, levels)
    func tinyInputsRoundTripOrAreLeftRaw(dictionary: LZ4Dictionary?, level: Int32) throws {
        let inputs = ["{}", "aaaaaaaa", "{\"type\":\"execution.progress\",", "\"state\":\"running\",\"message\":\""]
        for text in inputs {
            let input = Array(text.utf8)
            guard let compressed = LZ4Block.compressHC(input, dictionary: dictionary, level: level) else { continue }
            #expect(compressed.count < input.count)
            #expect(try LZ4Block.decompress(compressed, originalSize: input.count, dictionary: dictionary) == input)
        }
    }

    @Test(arguments: dictionaries, levels)
    func incompressibleInputIsLeftRaw(dictionary: LZ4Dictionary?, level: Int32) {
        #expect(LZ4Block.compressHC(Fixtures.random(4096, seed: 7), dictionary: dictionary, level: level) == nil)
    }

    @Test(arguments: dictionaries, levels)
    func realisticMessagesRoundTrip(dictionary: LZ4Dictionary?, level: Int32) throws {
        for message in Fixtures.heldOut {
            guard let compressed = LZ4Block.compressHC(message, dictionary: dictionary, level: level) else {
                Issue.record("a \(message.count)-byte JSON message did not compress at level \(level)")
                continue
            }
            #expect(compressed.count < message.count)
            let restored = try LZ4Block.decompress(compressed, originalSize: message.count, dictionary: dictionary)
            #expect(restored == message)
        }
    }

    @Test(arguments: dictionaries, [Int32(3), 9, 12])
    func oneMebibyteRoundTrips(dictionary: LZ4Dictionary?, level: Int32) throws {
        let input = Fixtures.jsonLines(1 << 20, seed: 11)
        let compressed = try #require(LZ4Block.compressHC(input, dictionary: dictionary, level: level))
        #expect(compressed.count < input.count / 2)
        #expect(try LZ4Block.decompress(compressed, originalSize: input.count, dictionary: dictionary) == input)
    }

    @Test func maximallyCompressibleInputRoundTrips() throws {
        let input = [UInt8](repeating: 0x20, count: 1 << 20)
        let compressed = try #require(LZ4Block.compressHC(input, dictionary: Fixtures.dictionary, level: 9))
        #expect(compressed.count < input.count / 200)
        #expect(try LZ4Block.decompress(compressed, originalSize: input.count, dictionary: Fixtures.dictionary) == input)
    }

    /// The point of HC: over many small messages it must beat fast mode, with and without a
    /// dictionary, and higher levels must not do worse than level 3.
    @Test(arguments: dictionaries)
    func hcIsSmallerThanFastMode(dictionary: LZ4Dictionary?) {
        func total(_ compress: ([UInt8]) -> [UInt8]?) -> Int {
            Fixtures.heldOut.reduce(0) { $0 + (compress($1)?.count ?? $1.count) }
        }
        let fast = total { LZ4Block.compress($0, dictionary: dictionary) }
        let level3 = total { LZ4Block.compressHC($0, dictionary: dictionary, level: 3) }
        let level9 = total { LZ4Block.compressHC($0, dictionary: dictionary, level: 9) }
        #expect(level3 < fast)
        #expect(level9 <= level3)
    }

    @Test func outOfRangeLevelsAreClamped() throws {
        let message = Fixtures.heldOut[5]
        let dictionary = Fixtures.dictionary
        for (asked, used) in [(Int32.min, Int32(3)), (0, 3), (2, 3), (13, 12), (Int32.max, 12)] {
            let compressed = LZ4Block.compressHC(message, dictionary: dictionary, level: asked)
            #expect(compressed == LZ4Block.compressHC(message, dictionary: dictionary, level: used))
        }
        #expect(LZ4Block.hcLevels == 3...12)
        #expect(LZ4Block.defaultHCLevel == 9)
    }

    @Test func rawBufferOverloadMatchesArrayOverload() throws {
        let message = Fixtures.heldOut[0]
        let fromBuffer = message.withUnsafeBytes { LZ4Block.compressHC($0, dictionary: Fixtures.dictionary, level: 9) }
        let compressed = try #require(fromBuffer)
        #expect(compressed == LZ4Block.compressHC(message, dictionary: Fixtures.dictionary, level: 9))
        #expect(try LZ4Block.decompress(compressed, originalSize: message.count, dictionary: Fixtures.dictionary) == message)
    }

    @Test func emptyDictionaryBehavesLikeNone() throws {
        let message = Fixtures.heldOut[1]
        let compressed = try #require(LZ4Block.compressHC(message, dictionary: LZ4Dictionary(bytes: []), level: 9))
        #expect(compressed == LZ4Block.compressHC(message, dictionary: nil, level: 9))
        #expect(try LZ4Block.decompress(compressed, originalSize: message.count, dictionary: nil) == message)
    }
}
