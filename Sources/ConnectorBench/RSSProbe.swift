import Foundation

/// Resident memory of a process, from `/proc/<pid>/status` (Linux): VmHWM is the kernel's own
/// high-water mark of VmRSS, so a peak between two samples is not missed.
struct RSSProbe: Sendable {
    struct Sample: Sendable {
        /// Peak resident set since the process started (VmHWM).
        var peak: Int64
        /// Resident now (VmRSS), and its anonymous (heap, stacks) and file-backed (code, mapped
        /// libraries) parts.
        var resident: Int64
        var anonymous: Int64
        var file: Int64
    }

    let pid: pid_t

    /// Nil when the file is gone (the process ended) or unreadable.
    func sample() -> Sample? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [Substring: Int64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            guard key.hasPrefix("Vm") || key.hasPrefix("Rss") else { continue }
            let value = line[line.index(after: colon)...].split { $0 == " " || $0 == "\t" }
            // "VmHWM:	   12345 kB"
            if value.count == 2, value[1] == "kB", let kib = Int64(value[0]) { fields[key] = kib * 1024 }
        }
        guard let peak = fields["VmHWM"], let resident = fields["VmRSS"] else { return nil }
        return Sample(
            peak: peak, resident: resident, anonymous: fields["RssAnon"] ?? 0, file: fields["RssFile"] ?? 0)
    }
}
