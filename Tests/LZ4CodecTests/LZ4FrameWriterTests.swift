import Foundation
import Testing

@testable import LZ4Codec

@Suite struct LZ4FrameWriterTests {
    @Test func manyWritesToAFileDecodeWithTheStockTool() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pruned.jsonl.lz4")
        let restoredFile = directory.file("pruned.jsonl")
        #expect(FileManager.default.createFile(atPath: archive.path, contents: nil))
        let handle = try FileHandle(forWritingTo: archive)

        // Lines of every size, crossing the 64 KiB chunk and block boundaries many times.
        var expected: [UInt8] = []
        var generator = SampleMessages(seed: 21)
        let writer = try LZ4FrameWriter(fileDescriptor: handle.fileDescriptor)
        for index in 0..<3000 {
            var line = generator.next()
            if index % 500 == 0 { line += Fixtures.jsonLines(150_000, seed: UInt64(index)) }
            line.append(UInt8(ascii: "\n"))
            try writer.write(line)
            expected += line
        }
        try writer.finish()
        try handle.close()

        #expect(writer.bytesIn == expected.count)
        let archived = try [UInt8](Data(contentsOf: archive))
        #expect(writer.bytesOut == archived.count)
        #expect(archived.count < expected.count / 2)

        #expect(try LZ4Tool.run(["-d", "-q", "-f", archive.path, restoredFile.path]) == 0)
        #expect(try [UInt8](Data(contentsOf: restoredFile)) == expected)
        #expect(try LZ4Frame.decompress(archived) == expected)
    }

    @Test func emptyFrameIsValid() throws {
        var output: [UInt8] = []
        let writer = try LZ4FrameWriter { output += $0 }
        #expect(writer.bytesOut == output.count && !output.isEmpty, "header is written on init")
        try writer.finish()
        #expect(writer.bytesIn == 0)
        #expect(try LZ4Frame.decompress(output) == [])
    }

    @Test func writesAfterFinishThrow() throws {
        let writer = try LZ4FrameWriter { _ in }
        try writer.write(Array("x".utf8))
        try writer.finish()
        #expect(throws: LZ4Error.self) { try writer.write(Array("y".utf8)) }
        #expect(throws: LZ4Error.self) { try writer.finish() }
    }

    struct SinkFull: Error {}

    @Test func sinkFailureStopsTheWriter() throws {
        var calls = 0
        let writer = try LZ4FrameWriter { _ in
            calls += 1
            if calls > 1 { throw SinkFull() }
        }
        #expect(throws: SinkFull.self) {
            try writer.write(Fixtures.jsonLines(200_000, seed: 4))
        }
        #expect(throws: LZ4Error.self) { try writer.write(Array("more".utf8)) }
        #expect(throws: LZ4Error.self) { try writer.finish() }
    }

    @Test func failingSinkFailsInit() {
        #expect(throws: SinkFull.self) { _ = try LZ4FrameWriter { _ in throw SinkFull() } }
    }

    @Test func badFileDescriptorThrows() {
        #expect(throws: LZ4Error.self) { _ = try LZ4FrameWriter(fileDescriptor: -1) }
    }
}
