import ConnectorCore
import Testing

@Suite struct UTCDayTests {
    @Test(arguments: [
        (0, "1970-01-01"), (86_399_999, "1970-01-01"), (86_400_000, "1970-01-02"),
        (-1, "1969-12-31"), (-86_400_000, "1969-12-31"), (-86_400_001, "1969-12-30"),
        (1_795_514_400_123, "2026-11-24"), (1_709_164_800_000, "2024-02-29"),
        (Int64.min, "0000-01-01"), (Int64.max, "9999-12-31"),
    ] as [(Int64, String)])
    func formatsTheUTCDay(milliseconds: Int64, expected: String) {
        #expect(UTCDay.string(milliseconds: milliseconds) == expected)
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -86_400_000), ("2024-02-29", 1_709_164_800_000),
        ("2000-02-29", 951_782_400_000), ("0000-01-01", -62_167_219_200_000),
    ] as [(String, Int64)])
    func parsesStrictDays(text: String, expected: Int64) {
        #expect(UTCDay.parse(text) == expected)
    }

    @Test(arguments: [
        "", "2026-02-29", "2100-02-29", "2026-13-01", "2026-11-31", "2026-11-24T00:00:00Z", "2026-11-24 ",
        "2026-1-24", "20261124", "2026/11/24", "-2026-11-24",
    ])
    func rejects(text: String) {
        #expect(UTCDay.parse(text) == nil)
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() {
        var day = UTCDay.parse("1800-01-01") ?? 0
        let end = UTCDay.parse("2200-01-01") ?? 0
        var previous = ""
        while day < end {
            let text = UTCDay.string(milliseconds: day)
            #expect(text > previous)
            #expect(UTCDay.parse(text) == day)
            previous = text
            day += 86_400_000
        }
    }
}
