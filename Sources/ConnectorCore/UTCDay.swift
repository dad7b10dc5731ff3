/// Calendar days in UTC ("YYYY-MM-DD"), the bucket key for daily usage totals.
public enum UTCDay {
    /// "YYYY-MM-DD" of that instant in UTC, clamped to years 0000-9999 like `RFC3339.format`.
    public static func string(milliseconds: Int64) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(10)
        appendDate(CivilDate.split(milliseconds: milliseconds).date, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Strict "YYYY-MM-DD" (a real calendar day, nothing around it) -> milliseconds at 00:00:00Z.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { bytes -> Int64? in
            guard bytes.count == 10, let days = parseDays(bytes, at: 0) else { return nil }
            return days * CivilDate.millisecondsPerDay
        }
    }

    /// The "YYYY-MM-DD" at `start` as days since the epoch; ignores what follows it.
    static func parseDays(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int64? {
        guard let year = FixedWidthDigits.read(bytes, at: start, count: 4),
            bytes.count > start + 4, bytes[start + 4] == ASCII.minus,
            let month = FixedWidthDigits.read(bytes, at: start + 5, count: 2),
            bytes.count > start + 7, bytes[start + 7] == ASCII.minus,
            let day = FixedWidthDigits.read(bytes, at: start + 8, count: 2)
        else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid else { return nil }
        return date.daysSinceEpoch
    }

    static func appendDate(_ date: CivilDate, to buffer: inout [UInt8]) {
        FixedWidthDigits.append(date.year, width: 4, to: &buffer)
        buffer.append(ASCII.minus)
        FixedWidthDigits.append(date.month, width: 2, to: &buffer)
        buffer.append(ASCII.minus)
        FixedWidthDigits.append(date.day, width: 2, to: &buffer)
    }
}
