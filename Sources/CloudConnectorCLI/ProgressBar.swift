import CloudConnector
import Foundation
import Synchronization

/// How far a long command is (`metering export`, `outbox prune`, `rebuild`, `salvage`), as one line
/// on stderr redrawn in place with a carriage return, at most every 100 ms, ended with a newline.
///
/// Only when stderr is a terminal and the output is not `--json`: stdout carries the results (CSV
/// records, JSON) and stays byte-for-byte what a script parses, pipes and test runs see no progress
/// at all, and a person at a terminal sees it beside the results, where logs go too. Safe to update
/// from any thread (prune and rebuild report from the store's writer thread).
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var done: Int64 = 0
        var total: Int64 = 0
        var finished = false
    }

    static let redrawInterval: Duration = .milliseconds(100)

    let label: String
    let unit: String
    private let output: Int32
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    /// A bar on stderr, or nil when stderr is not a terminal or the output is JSON.
    static func onTerminal(_ label: String, unit: String, json: Bool) -> ProgressBar? {
        guard !json, isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressBar(label, unit: unit, output: STDERR_FILENO)
    }

    init(_ label: String, unit: String, output: Int32) {
        self.label = label
        self.unit = unit
        self.output = output
    }

    /// Draws `done` of `total` (0 when unknown) unless the last draw was under 100 ms ago.
    func update(done: Int64, total: Int64) {
        let now = ContinuousClock.now
        let draw = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.done = done
            state.total = total
            if let last = state.lastDraw, now - last < Self.redrawInterval { return false }
            state.lastDraw = now
            return true
        }
        if draw { write("\r" + line(done: done, total: total, finished: false, now: now) + "\u{1B}[K") }
    }

    /// The last draw — the work is done, so at 100% — with the time it took, and the newline that
    /// leaves it on screen. Once only.
    func finish() {
        let last = state.withLock { state -> (done: Int64, total: Int64)? in
            defer { state.finished = true }
            return state.finished ? nil : (state.total > 0 ? state.total : state.done, state.total)
        }
        if let last { write("\r" + line(done: last.done, total: last.total, finished: true, now: .now) + "\u{1B}[K\n") }
    }

    private func line(done: Int64, total: Int64, finished: Bool, now: ContinuousClock.Instant) -> String {
        ProgressLine.render(label: label, unit: unit, done: done, total: total, elapsed: now - started, finished: finished)
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Foundation.write(output, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }  // a terminal that went away: progress is not worth failing for
            offset += written
        }
    }
}

/// The text of one progress line, from counts and time only.
enum ProgressLine {
    static let barWidth = 24

    /// `prune  [##########--------------]  42%  4,200/10,000 seqs  1,234/s  ETA 5s`; without a total,
    /// only the count and the rate; once finished, the time it took instead of the ETA.
    static func render(
        label: String, unit: String, done: Int64, total: Int64, elapsed: Duration, finished: Bool
    ) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Counts come from files that may be damaged (salvage): any Int64 must draw, none may trap.
        let done = max(done, 0)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var parts = [label]
        if total > 0 {
            let shown = min(done, total)
            let filled = Int(scaled(shown, of: total, to: Int64(barWidth)))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]")
            let percent = "\(scaled(shown, of: total, to: 100))%"
            parts.append(String(repeating: " ", count: max(0, 4 - percent.count)) + percent)
            parts.append("\(grouped(shown))/\(grouped(total)) \(unit)")
        } else {
            parts.append("\(grouped(done)) \(unit)")
        }
        if rate > 0 { parts.append("\(grouped(Int64(exactly: rate.rounded()) ?? Int64.max))/s") }
        let elapsedMS = Int64(exactly: (seconds * 1_000).rounded(.down)) ?? Int64.max
        if finished {
            parts.append("in " + DurationText.format(milliseconds: elapsedMS))
        } else if total > 0, rate > 0, done < total {
            let remainingMS = min((Double(total) - Double(done)) / rate * 1_000, 1e12)
            parts.append("ETA " + DurationText.format(milliseconds: Int64(remainingMS)))
        }
        return parts.joined(separator: "  ")
    }

    /// `part * scale / whole`, rounded down, for `0 <= part <= whole`: the product is taken at full
    /// width, so counts near Int64.max do not overflow.
    static func scaled(_ part: Int64, of whole: Int64, to scale: Int64) -> Int64 {
        whole.dividingFullWidth(part.multipliedFullWidth(by: scale)).quotient
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }
}
