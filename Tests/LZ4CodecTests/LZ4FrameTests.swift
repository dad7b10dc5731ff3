import Foundation
import Testing

@testable import LZ4Codec

@Suite struct LZ4FrameTests {
    @Test(arguments: [0, 1, 1000, 70_000, 1 << 20])
    func roundTrips(size: Int) throws {
        let input = Fixtures.jsonLines(size, seed: UInt64(size))
        #expect(try LZ4Frame.decompress(LZ4Frame.compress(input)) == input)
    }

    @Test func incompressibleDataRoundTrips() throws {
        let input = Fixtures.random(300_000, seed: 9)
        #expect(try LZ4Frame.decompress(LZ4Frame.compress(input)) == input)
    }

    @Test func concatenatedFramesDecodeAsOneStream() throws {
        let first = Fixtures.jsonLines(5000, seed: 1)
        let second = Fixtures.jsonLines(90_000, seed: 2)
        let joined = try LZ4Frame.compress(first) + LZ4Frame.compress([]) + LZ4Frame.compress(second)
        #expect(try LZ4Frame.decompress(joined) == first + second)
    }

    @Test func readsWhatTheStockToolWrites() throws {
        let directory = try TemporaryDirectory()
        let plain = directory.file("export.jsonl")
        let compressed = directory.file("export.jsonl.lz4")
        let input = Fixtures.jsonLines(300_000, seed: 8)
        try Data(input).write(to: plain)
        #expect(try LZ4Tool.run(["-q", "-f", plain.path, compressed.path]) == 0)
        #expect(try LZ4Frame.decompress([UInt8](Data(contentsOf: compressed))) == input)
    }

    @Test func truncationThrows() throws {
        let frame = try LZ4Frame.compress(Fixtures.jsonLines(20_000, seed: 3))
        for length in [1, 4, 7, 20, frame.count / 2, frame.count - 4, frame.count - 1] {
            #expect(throws: LZ4Error.self) { try LZ4Frame.decompress(Array(frame.prefix(length))) }
        }
    }

    @Test func checksumCatchesCorruption() throws {
        var frame = try LZ4Frame.compress(Fixtures.jsonLines(20_000, seed: 3))
        frame[frame.count - 2] ^= 0xff
        #expect(throws: LZ4Error.self) { try LZ4Frame.decompress(frame) }
    }

    @Test func garbageAndEmptyInputThrow() {
        #expect(throws: LZ4Error.self) { try LZ4Frame.decompress([]) }
        #expect(throws: LZ4Error.self) { try LZ4Frame.decompress(Fixtures.random(1000, seed: 6)) }
    }
}
