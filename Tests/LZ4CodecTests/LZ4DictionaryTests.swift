import Testing

@testable import LZ4Codec

@Suite struct LZ4DictionaryTests {
    @Test func keepsTheLastSixtyFourKibibytes() {
        let long = Fixtures.random(100_000, seed: 5)
        let dictionary = LZ4Dictionary(bytes: long)
        #expect(dictionary.bytes == Array(long.suffix(65_536)))
        #expect(dictionary == LZ4Dictionary(bytes: Array(long.suffix(65_536))))
    }

    @Test func fingerprintIsFNV1a64() {
        // Published FNV-1a 64 test vectors: the fingerprint is persisted, so it must never drift.
        #expect(LZ4Dictionary(bytes: []).fingerprint == 0xcbf2_9ce4_8422_2325)
        #expect(LZ4Dictionary(bytes: Array("a".utf8)).fingerprint == 0xaf63_dc4c_8601_ec8c)
        #expect(LZ4Dictionary(bytes: Array("foobar".utf8)).fingerprint == 0x8594_4171_f739_67e8)
    }

    @Test func equalityFollowsContent() {
        let first = LZ4Dictionary(bytes: Array("abc".utf8))
        #expect(first == LZ4Dictionary(bytes: Array("abc".utf8)))
        #expect(first != LZ4Dictionary(bytes: Array("abd".utf8)))
        #expect(Set([first, LZ4Dictionary(bytes: Array("abc".utf8))]).count == 1)
    }
}
