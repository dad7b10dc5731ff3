import Foundation

/// The benchmarks this executable runs (issue 2, item 10; P2–P4, the link, issue 3).
enum BenchID: String, CaseIterable, Sendable, Comparable {
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"
    case p4 = "P4"
    case p5 = "P5"
    case p6 = "P6"
    case p7 = "P7"

    static func < (lhs: BenchID, rhs: BenchID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Command-line flags, parsed by hand (ArgumentParser is not a dependency of this target).
struct BenchOptions: Sendable {
    var only: Set<BenchID> = Set(BenchID.allCases)
    /// Messages in the P5/P6 store and in P4's large backlog.
    var messages = 1_000_000
    /// Messages in P2's backlog and in P4's small backlog.
    var replayMessages = 100_000
    /// Append→ack samples per P3 observer (and per baseline).
    var samples = 2_000
    /// Appends measured with 64 producers (fewer with 1 and 4 producers, see `AppendBenchmark`).
    var appends = 40_000
    /// ~1 KB events in the P7 store.
    var sizeEvents = 100_000
    /// Producer counts of P1 (1, 4 and 64 by default).
    var producers = [1, 4, 64]
    /// Timed runs per P1 configuration; the median is reported.
    var repeats = 3
    /// Parent folder of the run's data; default `./bench-data` under the current directory.
    var dataRoot: String?
    /// A P5/P6 store to reuse (built there when it does not hold `messages` messages; never removed).
    var reuseStore: String?
    var keep = false
    var markdown = false

    static let usage = """
        usage: connector-bench [--only P1,P2,P3,P4,P5,P6,P7] [--messages N] [--replay-messages N] [--samples N]
                               [--appends N] [--producers LIST] [--size-events N] [--repeats N]
                               [--data-dir PATH] [--reuse-store PATH] [--keep] [--markdown]

          --only LIST       run only these benchmarks (P6 builds the P5 store if P5 is not selected)
          --messages N      messages in the P5/P6 store and in P4's large backlog (default 1000000)
          --replay-messages N
                            messages in P2's backlog and in P4's small backlog (default 100000)
          --samples N       P3 append→ack samples per observer and per baseline (default 2000)
          --appends N       appends timed with 64 producers in P1 (default 40000; 1 and 4 producers
                            use fewer, each waits for its own fsync)
          --producers LIST  P1 producer counts (default 1,4,64)
          --size-events N   ~1 KB events in the P7 store (default 100000)
          --repeats N       timed runs per P1 configuration, median reported (default 3)
          --data-dir PATH   where the run's stores live (default ./bench-data); removed afterwards
          --reuse-store DIR use DIR as the P5/P6 store: build it there only when it does not already hold
                            --messages messages; it is never removed (for profiling P5/P6 repeatedly)
          --keep            keep the run's stores
          --markdown        print Markdown tables (for the README) instead of text tables
          -h, --help        this text

        Figures go to stdout; progress goes to stderr. Targets are printed as PASS/MISS, never asserted.
        P4 runs `cloud-connector run` from the folder connector-bench is in; build it there first
        (tools/bench does): swift build -c release --product cloud-connector --scratch-path .build-bench
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String {
            switch self {
            case .message(let text): text
            }
        }
    }

    /// Nil when help was asked for.
    static func parse(_ arguments: [String]) throws(ParseError) -> BenchOptions? {
        var options = BenchOptions()
        var index = 0
        func value(_ flag: String) throws(ParseError) -> String {
            index += 1
            guard index < arguments.count else { throw .message("\(flag) needs a value") }
            return arguments[index]
        }
        func count(_ flag: String, minimum: Int) throws(ParseError) -> Int {
            let text = try value(flag).replacingOccurrences(of: "_", with: "")
            guard let number = Int(text), number >= minimum else {
                throw .message("\(flag) needs a whole number ≥ \(minimum), got \(text)")
            }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                return nil
            case "--only":
                var selected: Set<BenchID> = []
                for name in try value(argument).split(separator: ",") {
                    let trimmed = name.trimmingCharacters(in: .whitespaces).uppercased()
                    guard let id = BenchID(rawValue: trimmed) else {
                        throw .message("--only: unknown benchmark \(trimmed) (known: \(BenchID.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    selected.insert(id)
                }
                guard !selected.isEmpty else { throw .message("--only needs at least one benchmark") }
                options.only = selected
            case "--messages": options.messages = try count(argument, minimum: 100)
            case "--replay-messages": options.replayMessages = try count(argument, minimum: 100)
            case "--samples": options.samples = try count(argument, minimum: 10)
            case "--appends": options.appends = try count(argument, minimum: 64)
            case "--producers":
                var counts: [Int] = []
                for item in try value(argument).split(separator: ",") {
                    guard let number = Int(item.trimmingCharacters(in: .whitespaces)), number >= 1 else {
                        throw .message("--producers needs whole numbers ≥ 1, got \(item)")
                    }
                    counts.append(number)
                }
                guard !counts.isEmpty else { throw .message("--producers needs at least one count") }
                options.producers = counts
            case "--size-events": options.sizeEvents = try count(argument, minimum: 100)
            case "--repeats": options.repeats = try count(argument, minimum: 1)
            case "--data-dir": options.dataRoot = try value(argument)
            case "--reuse-store": options.reuseStore = try value(argument)
            case "--keep": options.keep = true
            case "--markdown": options.markdown = true
            default:
                throw .message("unknown argument \(argument)")
            }
            index += 1
        }
        return options
    }
}
