import Foundation

// The crash-safety harness (R1). Two modes:
//
//   CrashHarness produce --data-dir DIR [--producers N] [--faults LIST]
//       Appends realistic traffic from N concurrent producers until killed, and after each append
//       returns writes "seq id" to stdout in one write(2) call: the record of what was promised.
//
//   CrashHarness loop --cycles N [--data-dir DIR] [--producers N] [--min-ms A] [--max-ms B] [--faults LIST]
//       Starts `produce` as a child, SIGKILLs it after a random time in [A, B] ms, reopens the store
//       and checks that every append that had returned is there exactly once with its id, that seqs
//       only grow across restarts, and that verify (projections vs log) is clean. Repeats N times and
//       prints a JSON summary; exits 1 if anything was lost or inconsistent.

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String, code: Int32 = 64) -> Never {
    FileHandle.standardError.write(Data("CrashHarness: \(message)\n".utf8))
    exit(code)
}

switch arguments.first {
case "produce":
    guard let directory = option("--data-dir") else { fail("produce needs --data-dir") }
    await Producer.run(
        directory: directory, producers: Int(option("--producers") ?? "8") ?? 8, faults: option("--faults") ?? "")
case "loop":
    let summary = await CrashLoop(
        cycles: Int(option("--cycles") ?? "5") ?? 5,
        directory: option("--data-dir"),
        producers: Int(option("--producers") ?? "8") ?? 8,
        minMS: Int(option("--min-ms") ?? "150") ?? 150,
        maxMS: Int(option("--max-ms") ?? "900") ?? 900,
        faults: option("--faults") ?? ""
    ).run()
    print(summary.json)
    exit(summary.isClean ? 0 : 1)
default:
    fail("usage: CrashHarness produce|loop ... (see the comment at the top of main.swift)")
}
