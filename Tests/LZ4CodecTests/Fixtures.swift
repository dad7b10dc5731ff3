import ConnectorCore
@testable import LZ4Codec

/// Shared inputs, generated once: training the dictionary is the slow part of these tests.
enum Fixtures {
    static let training: [[UInt8]] = {
        var generator = SampleMessages(seed: 1)
        return generator.messages(1500)
    }()

    /// Different seed from `training`: ratio checks must not reward memorising the samples.
    static let heldOut: [[UInt8]] = {
        var generator = SampleMessages(seed: 2)
        return generator.messages(300)
    }()

    static let dictionary = LZ4Dictionary(
        bytes: LZ4DictionaryTrainer.train(samples: training, capacity: 16 * 1024))

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return generator.bytes(count)
    }

    /// About `count` bytes of realistic, compressible JSONL.
    static func jsonLines(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SampleMessages(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 4096)
        while bytes.count < count {
            bytes += generator.next()
            bytes.append(UInt8(ascii: "\n"))
        }
        return Array(bytes.prefix(count))
    }
}
