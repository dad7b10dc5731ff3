/// The HTTP `Date` header (RFC 9110 §5.6.7, formerly RFC 7231 §7.1.1.1): written in the preferred
/// IMF-fixdate form, read in all three forms a recipient must accept. Whole seconds, UTC only.
public enum HTTPDate {
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`; the milliseconds are dropped (rounded down).
    public static func format(milliseconds: Int64) -> String {
        let (date, millisecondOfDay) = CivilDate.split(milliseconds: milliseconds)
        let seconds = millisecondOfDay / 1000
        // 1970-01-01 was a Thursday (index 3 when Monday is 0).
        let days = date.daysSinceEpoch
        let weekday = Int(((days % 7) + 7 + 3) % 7)
        return "\(weekdays[weekday]), \(digits(date.day, 2)) \(months[date.month - 1]) \(digits(date.year, 4)) "
            + "\(digits(Int(seconds / 3600), 2)):\(digits(Int(seconds / 60 % 60), 2)):\(digits(Int(seconds % 60), 2)) GMT"
    }

    /// Unix milliseconds (a whole second) of an IMF-fixdate, RFC 850 or asctime date; nil for
    /// anything else, including impossible days and times. The weekday is not checked against the
    /// date (a peer's wrong weekday does not make its clock unreadable). A leap second (`:60`) reads
    /// as the last second of its minute, as `RFC3339` does.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch fields.count {
        case 6:  // Sun, 06 Nov 1994 08:49:37 GMT
            guard fields[0].hasSuffix(","), weekdays.contains(String(fields[0].dropLast())), fields[5] == "GMT",
                let day = number(fields[1], width: 2), let month = month(fields[2]),
                let year = number(fields[3], width: 4)
            else { return nil }
            return instant(year: year, month: month, day: day, time: fields[4])
        case 4:  // Sunday, 06-Nov-94 08:49:37 GMT
            guard fields[0].hasSuffix(","), longWeekdays.contains(String(fields[0].dropLast())), fields[3] == "GMT"
            else { return nil }
            let parts = fields[1].split(separator: "-").map(String.init)
            guard parts.count == 3, let day = number(parts[0], width: 2), let month = month(parts[1]),
                let shortYear = number(parts[2], width: 2)
            else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future is read as the past century.
            // Without a clock here, 70–99 are 19xx and 00–69 are 20xx, as most implementations do.
            return instant(year: shortYear >= 70 ? 1900 + shortYear : 2000 + shortYear, month: month, day: day, time: fields[2])
        case 5:  // Sun Nov  6 08:49:37 1994
            guard weekdays.contains(fields[0]), let month = month(fields[1]),
                let day = number(fields[2], width: 1) ?? number(fields[2], width: 2), let year = number(fields[4], width: 4)
            else { return nil }
            return instant(year: year, month: month, day: day, time: fields[3])
        default:
            return nil
        }
    }

    private static func month(_ text: String) -> Int? {
        months.firstIndex(of: text).map { $0 + 1 }
    }

    private static func instant(year: Int, month: Int, day: Int, time: String) -> Int64? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let hour = number(parts[0], width: 2), let minute = number(parts[1], width: 2),
            let second = number(parts[2], width: 2),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid else { return nil }
        let seconds = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
        return seconds * 1000
    }

    /// Exactly `width` ASCII digits (no sign, no spaces).
    private static func number(_ text: String, width: Int) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == width else { return nil }
        return bytes.withUnsafeBufferPointer { FixedWidthDigits.read($0, at: 0, count: width) }
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        var buffer: [UInt8] = []
        FixedWidthDigits.append(value, width: width, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
