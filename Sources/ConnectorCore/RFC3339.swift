/// RFC 3339 timestamps, as carried in the envelope's `ts` and payloads' `timestamp`.
public enum RFC3339 {
    /// Milliseconds since the Unix epoch (UTC) for "2026-11-24T10:00:00.123Z",
    /// "2026-11-24T12:00:00+02:00", lower-case "t"/"z", any number of fraction digits (truncated to ms).
    /// nil when malformed or impossible (Feb 30, hour 24, minute 60, offset +24:00).
    ///
    /// Second 60 is accepted as a leap second and read as :59.999, so it sorts after every other
    /// instant of that minute: a peer's honest leap-second stamp must not cost a message.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Always "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, 3 fraction digits). Instants outside years 0000-9999
    /// are clamped to 0000-01-01T00:00:00.000Z / 9999-12-31T23:59:59.999Z, the span the format can show.
    public static func format(milliseconds: Int64) -> String {
        let (date, millisecondOfDay) = CivilDate.split(milliseconds: milliseconds)
        let ms = Int(millisecondOfDay)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(24)
        UTCDay.appendDate(date, to: &buffer)
        buffer.append(ASCII.upperT)
        FixedWidthDigits.append(ms / 3_600_000, width: 2, to: &buffer)
        buffer.append(ASCII.colon)
        FixedWidthDigits.append(ms / 60_000 % 60, width: 2, to: &buffer)
        buffer.append(ASCII.colon)
        FixedWidthDigits.append(ms / 1000 % 60, width: 2, to: &buffer)
        buffer.append(ASCII.dot)
        FixedWidthDigits.append(ms % 1000, width: 3, to: &buffer)
        buffer.append(ASCII.upperZ)
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let days = UTCDay.parseDays(bytes, at: 0),
            bytes.count > 10, bytes[10] == ASCII.upperT || bytes[10] == ASCII.lowerT,
            let hour = FixedWidthDigits.read(bytes, at: 11, count: 2), hour <= 23,
            bytes.count > 13, bytes[13] == ASCII.colon,
            let minute = FixedWidthDigits.read(bytes, at: 14, count: 2), minute <= 59,
            bytes.count > 16, bytes[16] == ASCII.colon,
            let second = FixedWidthDigits.read(bytes, at: 17, count: 2), second <= 60
        else { return nil }

        var index = 19
        var millisecond = 0
        if index < bytes.count && bytes[index] == ASCII.dot {
            index += 1
            let fractionStart = index
            while index < bytes.count && ASCII.isDigit(bytes[index]) {
                if index - fractionStart < 3 {
                    millisecond = millisecond * 10 + Int(bytes[index] &- ASCII.zero)
                }
                index += 1
            }
            guard index > fractionStart else { return nil }
            for _ in min(index - fractionStart, 3)..<3 { millisecond *= 10 }
        }
        if second == 60 { millisecond = 999 }

        guard let offsetMinutes = parseOffset(bytes, at: index) else { return nil }
        let secondOfDay = Int64(hour * 3600 + minute * 60 + min(second, 59))
        let local = days * CivilDate.millisecondsPerDay + secondOfDay * 1000 + Int64(millisecond)
        return local - Int64(offsetMinutes) * 60_000
    }

    /// "Z", "z" or "±HH:MM" ending the text: the offset east of UTC in minutes.
    private static func parseOffset(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        let designator = bytes[index]
        if designator == ASCII.upperZ || designator == ASCII.lowerZ {
            return index + 1 == bytes.count ? 0 : nil
        }
        guard designator == ASCII.plus || designator == ASCII.minus,
            bytes.count == index + 6,
            let hours = FixedWidthDigits.read(bytes, at: index + 1, count: 2), hours <= 23,
            bytes[index + 3] == ASCII.colon,
            let minutes = FixedWidthDigits.read(bytes, at: index + 4, count: 2), minutes <= 59
        else { return nil }
        let magnitude = hours * 60 + minutes
        return designator == ASCII.minus ? -magnitude : magnitude
    }
}
