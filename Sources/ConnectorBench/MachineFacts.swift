internal import CSQLite
import Foundation

/// What the figures depend on: cores, memory, SQLite, and how long the data disk takes to make a
/// write durable (P1 is bound by it).
struct MachineFacts: Sendable {
    var cores: Int
    var memoryBytes: UInt64
    var kernel: String
    var sqliteVersion: String
    var dataDirectory: String
    /// Median and 90th percentile of `fsync` after overwriting 512 bytes in place.
    var fsyncMedian: Double
    var fsyncP90: Double
    /// Median of `fdatasync` after appending 512 bytes (what a WAL commit does).
    var appendSyncMedian: Double
    var probes: Int
    /// 1, 5 and 15-minute load averages when the run started: other work on the machine skews P1.
    var loadAverage: String

    static func currentLoadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) == 3 else { return "unknown" }
        return loads.map { Format.fixed($0, 2) }.joined(separator: " ")
    }

    static func measure(directory: String, probes: Int = 200) throws -> MachineFacts {
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let path = directory + "/fsync-probe"
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw BenchFailure("cannot create \(path): errno \(errno)") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8]((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        func write(at offset: Int) throws {
            let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard written == block.count else { throw BenchFailure("probe write failed: errno \(errno)") }
        }
        // In place, like SQLite's rollback journal or a WAL being reused after a checkpoint.
        var inPlace: [Double] = []
        for index in 0..<(probes + 10) {
            try write(at: (index % 8) * 512)
            let start = Measure.now()
            guard fsync(fd) == 0 else { throw BenchFailure("fsync failed: errno \(errno)") }
            if index >= 10 { inPlace.append(Measure.seconds(since: start)) }
        }
        // Appending, like a growing WAL.
        var appending: [Double] = []
        for index in 0..<probes {
            try write(at: 4096 + index * 512)
            let start = Measure.now()
            guard fdatasync(fd) == 0 else { throw BenchFailure("fdatasync failed: errno \(errno)") }
            appending.append(Measure.seconds(since: start))
        }
        return MachineFacts(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            kernel: kernel,
            sqliteVersion: String(cString: sqlite3_libversion()),
            dataDirectory: directory,
            fsyncMedian: Measure.median(inPlace),
            fsyncP90: Measure.percentile(inPlace, 0.9),
            appendSyncMedian: Measure.median(appending),
            probes: probes, loadAverage: currentLoadAverage())
    }

    var table: Table {
        var table = Table("Machine", headers: ["fact", "value"], alignments: [.left, .left])
        table.add(["cores", "\(cores)"])
        table.add(["memory", Format.bytes(Int64(memoryBytes))])
        table.add(["kernel", kernel])
        table.add(["SQLite", sqliteVersion])
        table.add(["load average at start (1/5/15 min)", loadAverage])
        table.add(["data directory", dataDirectory])
        table.add([
            "fsync, 512 B rewritten in place (\(probes)×)",
            "median \(Format.micros(fsyncMedian)), p90 \(Format.micros(fsyncP90))",
        ])
        table.add(["fdatasync, 512 B appended (\(probes)×)", "median \(Format.micros(appendSyncMedian))"])
        return table
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
