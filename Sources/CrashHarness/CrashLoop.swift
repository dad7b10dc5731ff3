import ConnectorCore
import Foundation
import Logging
import OutboxStore
import Synchronization

/// The supervisor: kill, reopen, check, repeat.
struct CrashLoop {
    let cycles: Int
    let directory: String?
    let producers: Int
    let minMS: Int
    let maxMS: Int
    let faults: String

    struct Summary {
        var cycles = 0
        var returnedAppends = 0
        var missing: [String] = []
        var wrongID: [String] = []
        var seqWentBack: [String] = []
        var verifyFindings: [String] = []
        var heldAtEnd: Int64 = 0

        var isClean: Bool { missing.isEmpty && wrongID.isEmpty && seqWentBack.isEmpty && verifyFindings.isEmpty }

        var json: String {
            func list(_ items: [String]) -> String {
                "[" + items.prefix(20).map { "\"\($0)\"" }.joined(separator: ",") + "]"
            }
            return """
                {"cycles":\(cycles),"returned_appends":\(returnedAppends),"held_at_end":\(heldAtEnd),\
                "missing":\(missing.count),"wrong_id":\(wrongID.count),"seq_went_back":\(seqWentBack.count),\
                "verify_findings":\(verifyFindings.count),"examples":\(list(missing + wrongID + seqWentBack + verifyFindings)),\
                "clean":\(isClean)}
                """
        }
    }

    func run() async -> Summary {
        let root = directory ?? NSTemporaryDirectory() + "/crash-loop-\(getpid())"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: root) } }
        var summary = Summary()
        var highestReturned: Int64 = 0
        var rng = SystemRandomNumberGenerator()
        for cycle in 1...max(1, cycles) {
            let lines = runChild(root, killAfterMS: Int.random(in: minMS...max(minMS, maxMS), using: &rng))
            summary.cycles = cycle
            summary.returnedAppends += lines.count
            check(root, returned: lines, cycle: cycle, highestBefore: &highestReturned, into: &summary)
        }
        return summary
    }

    /// Runs `produce` until the kill, returning the complete "seq id" lines it wrote.
    private func runChild(_ root: String, killAfterMS: Int) -> [(seq: Int64, id: String)] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["produce", "--data-dir", root, "--producers", String(producers), "--faults", faults]
        let pipe = Pipe()
        child.standardOutput = pipe
        let collected = Collected()
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        do { try child.run() } catch { return [] }
        usleep(UInt32(killAfterMS) * 1_000)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return collected.lines()
    }

    private func check(
        _ root: String, returned: [(seq: Int64, id: String)], cycle: Int, highestBefore: inout Int64,
        into summary: inout Summary
    ) {
        var logger = Logger(label: "crash-loop")
        logger.logLevel = .critical
        do {
            let store = try OutboxStore.open(directory: root, identity: Producer.identity, logger: logger)
            defer { store.close() }
            let reader = try store.makeReader()
            var lowest = Int64.max
            for (seq, id) in returned {
                lowest = min(lowest, seq)
                guard let stored = try reader.message(seq: seq) else {
                    summary.missing.append("cycle \(cycle): seq \(seq) returned but missing")
                    continue
                }
                if stored.id.description != id {
                    summary.wrongID.append("cycle \(cycle): seq \(seq) holds \(stored.id), expected \(id)")
                }
            }
            if !returned.isEmpty && lowest <= highestBefore {
                summary.seqWentBack.append("cycle \(cycle): seq \(lowest) after \(highestBefore) in an earlier run")
            }
            highestBefore = max(highestBefore, returned.map(\.seq).max() ?? 0)
            let report = try reader.verify()
            summary.verifyFindings += report.findings.map { "cycle \(cycle): \($0)" }
            summary.heldAtEnd = try reader.stats().heldMessages
        } catch {
            summary.verifyFindings.append("cycle \(cycle): reopening failed: \(error)")
        }
    }
}

/// Bytes read from the child, gathered on the pipe's handler thread.
final class Collected: Sendable {
    private let buffer = Mutex<[UInt8]>([])

    func append(_ data: Data) { buffer.withLock { $0 += data } }

    func lines() -> [(seq: Int64, id: String)] {
        let text = buffer.withLock { String(decoding: $0, as: UTF8.self) }
        // A line cut by the kill has no newline: it was never fully reported, so it is ignored.
        return text.split(separator: "\n", omittingEmptySubsequences: true).dropLast(text.hasSuffix("\n") ? 0 : 1)
            .compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let seq = Int64(parts[0]) else { return nil }
                return (seq, String(parts[1]))
            }
    }
}
