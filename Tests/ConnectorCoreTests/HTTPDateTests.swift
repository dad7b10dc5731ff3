import ConnectorCore
import Testing

@Suite struct HTTPDateTests {
    @Test(arguments: [
        // RFC 9110 §5.6.7's own example in its three forms.
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777_000),
        ("Sun Nov  6 08:49:37 1994", 784_111_777_000),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Wed, 31 Dec 1969 23:59:59 GMT", -1000),
        ("Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000_000),
        ("Tue, 24 Nov 2026 10:00:00 GMT", 1_795_514_400_000),
        ("Thursday, 24-Nov-05 10:00:00 GMT", 1_132_826_400_000),
        ("Sat, 31 Dec 2016 23:59:60 GMT", 1_483_228_799_000),
    ] as [(String, Int64)])
    func parses(text: String, expected: Int64) {
        #expect(HTTPDate.parseMilliseconds(text) == expected, "\(text)")
    }

    @Test(arguments: [
        "", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Now 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, +6 Nov 1994 08:49:37 GMT",
        "Fun, 06 Nov 1994 08:49:37 GMT", "2026-11-24T10:00:00Z", "Sun Nov 06 08:49:37 94",
    ])
    func refuses(text: String) {
        #expect(HTTPDate.parseMilliseconds(text) == nil, "\(text)")
    }

    @Test func formatsIMFFixdateAndReadsItBack() {
        #expect(HTTPDate.format(milliseconds: 784_111_777_000) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(milliseconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(milliseconds: 1_795_514_400_999) == "Tue, 24 Nov 2026 10:00:00 GMT")
        #expect(HTTPDate.format(milliseconds: -1) == "Wed, 31 Dec 1969 23:59:59 GMT")
        // Every weekday of a week, and a day in each month: what is written is read back.
        for day in Int64(0)..<400 {
            let milliseconds = 1_700_000_000_000 + day * 86_400_000 + day * 1_234_000
            let whole = milliseconds - milliseconds % 1000
            #expect(HTTPDate.parseMilliseconds(HTTPDate.format(milliseconds: milliseconds)) == whole)
        }
    }
}
