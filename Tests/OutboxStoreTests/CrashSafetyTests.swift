import ConnectorCore
import Foundation
import Testing

/// R1 for real: a child process appends from several producers and is SIGKILLed at random moments;
/// the store is reopened and every append that had returned must be there exactly once.
@Suite("Crash safety (SIGKILL)", .serialized)
struct CrashSafetyTests {
    static func harness() throws -> URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("CrashHarness")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "CrashHarness next to \(products.path)"])
    }

    static func loop(cycles: Int, faults: String = "") throws -> JSONValue {
        let process = Process()
        process.executableURL = try harness()
        process.arguments = ["loop", "--cycles", String(cycles), "--faults", faults]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSON.parse([UInt8](output))
    }

    @Test("every append that returned survives SIGKILL exactly once, seqs only grow, projections reconcile")
    func appendsSurviveKill() throws {
        let summary = try Self.loop(cycles: 4)
        #expect(summary["clean"] == .bool(true), "\(summary)")
        #expect((summary["returned_appends"]?.numberValue?.int64 ?? 0) > 100, "the child appended too little to test anything")
    }

    @Test("negative control: returning before the commit loses appends under SIGKILL, and the check says so")
    func returnBeforeCommitIsCaught() throws {
        var caught = false
        for _ in 0..<4 where !caught {
            let summary = try Self.loop(cycles: 5, faults: "returnBeforeCommit")
            caught = (summary["missing"]?.numberValue?.int64 ?? 0) > 0
        }
        #expect(caught)
    }
}
