@testable import LZ4Codec

/// 64 tasks compress overlapping subsets of `messages` at once; counts results that differ from a
/// single thread's (`expected`) or do not decompress back to the message.
func concurrentRoundTripFailures(
    _ messages: [[UInt8]], dictionary: LZ4Dictionary, rounds: Int, every stride: Int,
    compress: @escaping @Sendable ([UInt8]) -> [UInt8]?
) async -> Int {
    let expected = messages.map(compress)
    return await withTaskGroup(of: Int.self) { group in
        for task in 0..<64 {
            group.addTask {
                var failures = 0
                for round in 0..<rounds {
                    for index in messages.indices where (index + task + round) % stride == 0 {
                        let message = messages[index]
                        let compressed = compress(message)
                        if compressed != expected[index] { failures += 1 }
                        guard let compressed else { continue }
                        let restored = try? LZ4Block.decompress(
                            compressed, originalSize: message.count, dictionary: dictionary)
                        if restored != message { failures += 1 }
                    }
                }
                return failures
            }
        }
        return await group.reduce(0, +)
    }
}
