import Foundation
import Synchronization
import Testing

@testable import LZ4Codec

/// Producers compress concurrently on the cooperative pool, each thread reusing its own prepared
/// dictionary state; results must be exactly what a single thread would produce.
@Suite struct LZ4BlockConcurrencyTests {
    @Test func manyTasksShareOneDictionary() async throws {
        let dictionary = Fixtures.dictionary
        let failures = await concurrentRoundTripFailures(
            Fixtures.heldOut, dictionary: dictionary, rounds: 4, every: 3) { LZ4Block.compress($0, dictionary: dictionary) }
        #expect(failures == 0)
    }

    /// More dictionaries than a thread caches, interleaved, so entries are evicted and rebuilt
    /// while other tasks use theirs.
    @Test func interleavedDictionariesStayCorrect() async throws {
        let dictionaries = (0..<7).map { seed in
            LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(
                samples: Array(Fixtures.training[(seed * 100)..<(seed * 100 + 200)]), capacity: 4096))
        }
        let messages = Array(Fixtures.heldOut.prefix(60))
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for (index, message) in messages.enumerated() {
                        let dictionary = dictionaries[(index + task) % dictionaries.count]
                        guard let compressed = LZ4Block.compress(message, dictionary: dictionary) else {
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

    /// Threads that compress and then exit must hand their cached state back — the fast-mode states
    /// and HC's 256 KiB ones (the address sanitizer run reports a leak or double free if they do not).
    @Test(arguments: [false, true])
    func exitingThreadsReleaseTheirCache(highCompression: Bool) {
        let done = DispatchSemaphore(value: 0)
        let threads = 8
        let failures = Mutex(0)
        for index in 0..<threads {
            let thread = Thread {
                let message = Fixtures.heldOut[index]
                let compressed = highCompression
                    ? LZ4Block.compressHC(message, dictionary: Fixtures.dictionary, level: 9)
                    : LZ4Block.compress(message, dictionary: Fixtures.dictionary)
                let restored = compressed.flatMap {
                    try? LZ4Block.decompress($0, originalSize: message.count, dictionary: Fixtures.dictionary)
                }
                if restored != message { failures.withLock { $0 += 1 } }
                done.signal()
            }
            thread.start()
        }
        for _ in 0..<threads { done.wait() }
        #expect(failures.withLock { $0 } == 0)
    }
}
