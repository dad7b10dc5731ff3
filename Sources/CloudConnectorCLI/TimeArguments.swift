import ArgumentParser
import CloudConnector
import ConnectorCore

/// Times and days given on the command line.
enum TimeArguments {
    /// `--since`/`--until`: RFC 3339 ("2026-11-24T10:00:00Z"), a UTC day ("2026-11-24", its
    /// midnight), or a duration meaning "that long ago" ("2h", "30m", "7d").
    static func instant(_ text: String, flag: String, nowMS: Int64) throws -> Int64 {
        if let milliseconds = RFC3339.parseMilliseconds(text) { return milliseconds }
        if let midnight = UTCDay.parse(text) { return midnight }
        if let ago = DurationText.parseMilliseconds(text) { return nowMS - ago }
        throw ValidationError(
            "\(flag) \"\(text)\" is not an RFC 3339 time (2026-11-24T10:00:00Z), a UTC day (2026-11-24) or a duration ago (2h, 30m, 7d).")
    }

    /// A strict "YYYY-MM-DD" UTC day.
    static func day(_ text: String, flag: String) throws -> String {
        guard UTCDay.parse(text) != nil else {
            throw ValidationError("\(flag) \"\(text)\" is not a UTC day in the form YYYY-MM-DD (e.g. 2026-11-01).")
        }
        return text
    }

    /// The half-open day range [from, to), checked to be non-empty.
    static func dayRange(from: String, to: String) throws -> (from: String, to: String) {
        let from = try day(from, flag: "--from")
        let to = try day(to, flag: "--to")
        guard from < to else {
            throw ValidationError("--from \(from) must be before --to \(to): the range [from, to) is half-open, so --to is the day after the last one counted.")
        }
        return (from, to)
    }
}
