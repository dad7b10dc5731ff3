@testable import Conformance
import Testing

struct SeqTextTests {
    @Test(arguments: [
        ([Int64](), "none"), ([1], "1"), ([1, 2], "1, 2"), ([1, 2, 3], "1..3"), ([1, 2, 5], "1, 2, 5"),
        ([5, 1, 2, 3, 2], "1..3, 5"), ([1, 2, 3, 7, 8, 9, 10], "1..3, 7..10"),
    ])
    func seqsReadAsRunsAndGaps(_ seqs: [Int64], _ text: String) {
        #expect(SeqText.list(seqs) == text)
    }
}
