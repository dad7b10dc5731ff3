import Foundation

/// Monotonic timing.
enum Measure {
    static let clock = ContinuousClock()

    static func now() -> ContinuousClock.Instant { clock.now }

    /// Seconds since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        start.duration(to: clock.now).seconds
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = now()
        let value = try body()
        return (value, seconds(since: start))
    }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = now()
        let value = try await body()
        return (value, seconds(since: start))
    }

    static func median(_ values: [Double]) -> Double {
        percentile(values, 0.5)
    }

    /// Nearest-rank percentile (0...1) of `values`; 0 when empty.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

extension Duration {
    var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) / 1e18
    }
}

/// Number formatting for the tables.
enum Format {
    /// 12,345 style grouping.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (offset, char) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(char)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func grouped(_ value: Int64) -> String { grouped(Int(value)) }

    static func rate(_ perSecond: Double) -> String { grouped(Int(perSecond.rounded())) }

    static func fixed(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", value)
    }

    static func percent(_ ratio: Double) -> String { fixed(ratio * 100, 1) + " %" }

    static func ratio(_ ratio: Double) -> String { fixed(ratio, 2) + "×" }

    /// A duration with a unit that keeps 3 significant-ish digits.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 10 { return fixed(seconds, 1) + " s" }
        if seconds >= 1 { return fixed(seconds, 2) + " s" }
        if seconds >= 0.001 { return fixed(seconds * 1e3, seconds >= 0.1 ? 0 : 1) + " ms" }
        return fixed(seconds * 1e6, 0) + " µs"
    }

    static func micros(_ seconds: Double) -> String { fixed(seconds * 1e6, 0) + " µs" }

    static func bytes(_ count: Int64) -> String {
        let value = Double(count)
        let kib = 1024.0
        if value >= kib * kib * kib { return fixed(value / (kib * kib * kib), 2) + " GiB" }
        if value >= kib * kib { return fixed(value / (kib * kib), 1) + " MiB" }
        if value >= kib { return fixed(value / kib, 1) + " KiB" }
        return "\(count) B"
    }

    static func verdict(_ pass: Bool) -> String { pass ? "PASS" : "MISS" }
}

/// Progress lines go to stderr so that stdout holds only the report.
enum Progress {
    static func say(_ text: String) {
        FileHandle.standardError.write(Data(("· " + text + "\n").utf8))
    }
}

/// What this process has written, to show write amplification: SQLite writes whole pages to the
/// WAL (and again to the database at checkpoints), however small the row.
enum IOCounters {
    /// Bytes passed to write calls so far (`wchar` in /proc/self/io); nil where that is unavailable.
    static func writtenBytes() -> Int64? {
        #if os(Linux)
        let fd = open("/proc/self/io", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        for line in String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("wchar:") {
            return Int64(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
        #else
        return nil
        #endif
    }

    /// Bytes written while `body` ran (nil when unknown).
    static func written<T>(_ body: () throws -> T) rethrows -> (T, Int64?) {
        let before = writtenBytes()
        let value = try body()
        guard let before, let after = writtenBytes() else { return (value, nil) }
        return (value, after - before)
    }
}
