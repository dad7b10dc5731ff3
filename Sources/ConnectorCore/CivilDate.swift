/// Proleptic Gregorian calendar arithmetic on day counts (Howard Hinnant's days_from_civil), exact
/// for dates before 1970 too, with no Foundation and no time zone database.
struct CivilDate: Equatable {
    var year: Int
    var month: Int
    var day: Int

    static let millisecondsPerDay: Int64 = 86_400_000
    /// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the span four-digit years can show.
    static let minimumMilliseconds: Int64 = -62_167_219_200_000
    static let maximumMilliseconds: Int64 = 253_402_300_799_999

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Whether this is a real calendar day (no Feb 30, no month 13).
    var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= Self.daysInMonth(year: year, month: month)
    }

    /// Days since 1970-01-01 (negative before it).
    var daysSinceEpoch: Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Callers keep `days` within the four-digit-year span, so nothing here can overflow.
    init(daysSinceEpoch days: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        self.month = Int(month)
        self.day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Splits an instant into its UTC day and milliseconds into that day, after clamping it to the
    /// four-digit-year span.
    static func split(milliseconds: Int64) -> (date: CivilDate, millisecondOfDay: Int64) {
        let clamped = min(max(milliseconds, minimumMilliseconds), maximumMilliseconds)
        var days = clamped / millisecondsPerDay
        var remainder = clamped % millisecondsPerDay
        if remainder < 0 {
            days -= 1
            remainder += millisecondsPerDay
        }
        return (CivilDate(daysSinceEpoch: days), remainder)
    }
}
