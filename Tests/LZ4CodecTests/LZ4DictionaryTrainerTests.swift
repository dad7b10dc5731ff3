import Testing

@testable import LZ4Codec

@Suite struct LZ4DictionaryTrainerTests {
    @Test func sameSamplesGiveTheSameDictionary() {
        let samples = Array(Fixtures.training.prefix(400))
        let first = LZ4DictionaryTrainer.train(samples: samples, capacity: 8192)
        let second = LZ4DictionaryTrainer.train(samples: samples, capacity: 8192)
        #expect(!first.isEmpty)
        #expect(first == second)
    }

    @Test(arguments: [1, 100, 4096, 16_384, 1 << 20])
    func respectsCapacityAndTheLZ4Window(capacity: Int) {
        let dictionary = LZ4DictionaryTrainer.train(samples: Fixtures.training, capacity: capacity)
        #expect(dictionary.count <= min(capacity, LZ4Dictionary.maximumSize))
    }

    @Test func degenerateInputsGiveAnEmptyDictionary() {
        #expect(LZ4DictionaryTrainer.train(samples: [], capacity: 4096).isEmpty)
        #expect(LZ4DictionaryTrainer.train(samples: Fixtures.training, capacity: 0).isEmpty)
        #expect(LZ4DictionaryTrainer.train(samples: [[], [1, 2]], capacity: 4096).isEmpty)
    }

    @Test func improvesHeldOutRatioOverNoDictionary() {
        let trained = LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(samples: Fixtures.training, capacity: 8192))
        let plain = compressedTotal(dictionary: nil)
        let withTrained = compressedTotal(dictionary: trained)
        #expect(Double(withTrained) < Double(plain) * 0.7, "trained \(withTrained) vs none \(plain)")
    }

    /// Placing the most useful content last means a cut-down dictionary keeps most of the value:
    /// its last quarter alone must already beat no dictionary clearly.
    @Test func mostUsefulContentComesLast() {
        let full = LZ4DictionaryTrainer.train(samples: Fixtures.training, capacity: 16_384)
        let tail = LZ4Dictionary(bytes: Array(full.suffix(full.count / 4)))
        let head = LZ4Dictionary(bytes: Array(full.prefix(full.count / 4)))
        #expect(compressedTotal(dictionary: tail) < compressedTotal(dictionary: head))
    }

    /// Beats simply using the most recent raw samples as the dictionary at a small size, which is
    /// the whole point of selecting content.
    @Test func beatsRawSamplesOfTheSameSize() {
        let capacity = 4096
        let trained = LZ4Dictionary(bytes: LZ4DictionaryTrainer.train(samples: Fixtures.training, capacity: capacity))
        let raw = LZ4Dictionary(bytes: Array(Fixtures.training.joined().suffix(capacity)))
        #expect(compressedTotal(dictionary: trained) < compressedTotal(dictionary: raw))
    }

    private func compressedTotal(dictionary: LZ4Dictionary?) -> Int {
        Fixtures.heldOut.reduce(0) { total, message in
            total + (LZ4Block.compress(message, dictionary: dictionary)?.count ?? message.count)
        }
    }
}
