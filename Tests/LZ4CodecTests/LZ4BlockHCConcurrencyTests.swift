import Testing

@testable import LZ4Codec

/// HC producers compress concurrently, each thread reusing its own working HC state and
/// prepared templates; results must be exactly what a single thread produces.
@Suite struct LZ4BlockHCConcurrencyTests {
    @Test func manyTasksShareOneDictionary() async {
        let dictionary = Fixtures.dictionary
        let failures = await concurrentRoundTripFailures(
            Fixtures.heldOut, dictionary: dictionary, rounds: 2, every: 4) { LZ4Block.compressHC($0, dictionary: dictionary, level: 9) }
        #expect(failures == 0)
    }

    /// More (dictionary, level) pairs than a thread keeps, mixed with fast mode and no dictionary,
    /// so templates are evicted and rebuilt while other tasks use theirs.
    @Test func interleavedDictionariesAndLevelsStayCorrect() async {
        let trained: [LZ4Dictionary] = (0..<3).map { seed in
            let samples = Array(Fixtures.training[(seed * 100)..<(seed * 100 + 200)])
            return LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(samples: samples, capacity: 4096))
        }
        let dictionaries: [LZ4Dictionary?] = [nil] + trained.map { $0 }
        let levels: [Int32] = [3, 9, 12]
        let messages = Array(Fixtures.heldOut.prefix(48))
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for (index, message) in messages.enumerated() {
                        let dictionary = dictionaries[(index + task) % dictionaries.count]
                        let level = levels[(index / dictionaries.count + task) % levels.count]
                        let compressed = index % 5 == 0
                            ? LZ4Block.compress(message, dictionary: dictionary)
                            : LZ4Block.compressHC(message, dictionary: dictionary, level: level)
                        guard let compressed else {
                            failures += 1
                            continue
                        }
                        let restored = try? LZ4Block.decompress(
                            compressed, originalSize: message.count, dictionary: dictionary)
                        if restored != message { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
