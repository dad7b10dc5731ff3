@testable import CloudConnectorCLI
import Foundation
import Synchronization
import Testing

@Suite("Progress bars")
struct ProgressBarTests {
    @Test("a line from counts and time: bar, percent, counts, rate, ETA; the time taken once finished; no bar without a total")
    func rendering() {
        #expect(ProgressLine.render(label: "prune", unit: "seqs", done: 4_200, total: 10_000, elapsed: .seconds(2), finished: false)
            == "prune  [##########--------------]   42%  4,200/10,000 seqs  2,100/s  ETA 2.7s")
        #expect(ProgressLine.render(label: "prune", unit: "seqs", done: 10_000, total: 10_000, elapsed: .seconds(5), finished: true)
            == "prune  [########################]  100%  10,000/10,000 seqs  2,000/s  in 5s")
        #expect(ProgressLine.render(label: "salvage", unit: "seqs", done: 1_234, total: 0, elapsed: .seconds(1), finished: false)
            == "salvage  1,234 seqs  1,234/s")
        // Nothing done yet: no rate, no ETA; more done than the total (an estimate): clamped.
        #expect(ProgressLine.render(label: "export", unit: "records", done: 0, total: 50, elapsed: .zero, finished: false)
            == "export  [------------------------]    0%  0/50 records")
        #expect(ProgressLine.render(label: "rebuild", unit: "seqs", done: 70, total: 50, elapsed: .seconds(1), finished: false)
            == "rebuild  [########################]  100%  50/50 seqs  70/s")
        #expect(ProgressLine.grouped(0) == "0" && ProgressLine.grouped(999) == "999" && ProgressLine.grouped(1_000) == "1,000")
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567" && ProgressLine.grouped(-1_234) == "-1,234")
    }

    @Test("counts up to Int64.max, negative ones and a huge rate draw a line; nothing overflows")
    func extremeCounts() {
        let huge = ProgressLine.render(label: "salvage", unit: "seqs", done: Int64.max - 1, total: Int64.max, elapsed: .milliseconds(1), finished: false)
        #expect(huge.hasPrefix("salvage  [#######################-]   99%  "), "\(huge)")
        let done = ProgressLine.render(label: "salvage", unit: "seqs", done: Int64.max, total: Int64.max, elapsed: .nanoseconds(1), finished: true)
        #expect(done.contains("100%  9,223,372,036,854,775,807/9,223,372,036,854,775,807 seqs"), "\(done)")
        let negative = ProgressLine.render(label: "salvage", unit: "seqs", done: Int64.min, total: 10, elapsed: .seconds(1), finished: false)
        #expect(negative.hasPrefix("salvage  [------------------------]    0%  0/10 seqs"), "\(negative)")
    }

    @Test("redraws are rate-limited, each starts with a carriage return, and finish ends the line once")
    func redraws() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let bar = ProgressBar("rebuild", unit: "seqs", output: fds[1])
        for done in 0..<1_000 { bar.update(done: Int64(done), total: 1_000) }
        bar.finish()
        bar.finish()
        close(fds[1])
        let text = String(decoding: try FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readToEnd() ?? Data(), as: UTF8.self)
        #expect(text.filter { $0 == "\r" }.count == 2, "the first update and the finish: \(text.debugDescription)")
        #expect(text.hasSuffix("\u{1B}[K\n"))
        #expect(text.contains("100%  1,000/1,000 seqs"))
    }

    @Test("on a terminal, outbox rebuild, prune and metering export draw a bar on stderr and stdout stays clean; not in --json")
    func onATerminal() async throws {
        let fixture = Fixture()
        try await FilledStore.fill(fixture, count: 50, acked: 50)
        let export = ["metering", "export", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "csv",
                      "--output", fixture.root.file("usage.csv"), "--force"]
        for command in [["outbox", "rebuild"], ["outbox", "prune", "--retention", "0s"], export] {
            let terminal = try PseudoTerminal()
            let result = try CLI.run(command + ["--data-dir", fixture.dataDir], environment: fixture.environment, errorOutput: terminal.child)
            let screen = terminal.finish()
            #expect(result.status == 0, "\(result)")
            #expect(screen.contains("\r\(command[1])  [") && screen.contains("100%"), "\(screen.debugDescription)")
            #expect(!result.stdout.contains("\r"), "\(result.stdout.debugDescription)")

            let quiet = try PseudoTerminal()
            let json = try CLI.run(command + ["--data-dir", fixture.dataDir, "--json"], environment: fixture.environment, errorOutput: quiet.child)
            #expect(json.status == 0)
            #expect(!quiet.finish().contains("\r\(command[1])"), "no bar with --json")
        }
        let piped = try fixture.run("outbox", "rebuild")
        #expect(!piped.stderr.contains("\r") && !piped.stdout.contains("\r"))
    }
}

/// A pseudo-terminal whose child side a test hands to a process as its stderr, so the process sees
/// a terminal (`isatty`), and whose output is collected by a reader thread.
final class PseudoTerminal: Sendable {
    let child: FileHandle
    private let master: Int32
    private let output = Mutex<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw POSIXError(.ENOTTY) }
        self.master = master
        child = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(self.master, $0.baseAddress, $0.count) }
                if count <= 0 { break }  // EIO once every child side is closed
                output.withLock { $0.append(contentsOf: buffer[..<count]) }
            }
            done.signal()
        }.start()
    }

    /// Closes the test's copy of the child side, waits for the reader to drain, returns the text.
    func finish() -> String {
        try? child.close()
        done.wait()
        close(master)
        return String(decoding: output.withLock { $0 }, as: UTF8.self)
    }
}
