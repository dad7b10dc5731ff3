// The libFuzzer target over the inbound frame decoder and request validation (tools/fuzz).
// Built with -DFUZZING and --sanitize=fuzzer there is no @main: libFuzzer's main calls the entry
// point below. In a normal build @main runs the same entry point over the files named on the
// command line, so the target always compiles and a saved crash can be replayed
// without libFuzzer (`swift run FrameFuzzer crash-…`).
import FuzzBodies

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The negative control: with FRAME_FUZZER_PLANTED_BUG set the body reports a planted violation,
/// and tools/fuzz must fail and save the input.
let plantedBug = getenv("FRAME_FUZZER_PLANTED_BUG") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let violations = FrameFuzzBody.run(bytes, plantedBug: plantedBug)
    if let first = violations.first {
        // A broken property is a bug like a crash: abort so libFuzzer saves the input.
        fatalError("FrameFuzzer: \(first)")
    }
    return 0
}

#if !FUZZING
@main
struct FrameFuzzerMain {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = readFile(path) else {
                print("FrameFuzzer: cannot read \(path)")
                exit(2)
            }
            _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress, $0.count) }
            print("FrameFuzzer: \(path): ok")
        }
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return ferror(file) == 0 ? bytes : nil
    }
}
#endif
