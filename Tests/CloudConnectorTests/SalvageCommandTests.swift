@testable import CloudConnectorCLI
import ConnectorCore
import Foundation
import OutboxStore
import SQLiteDB
import Testing

/// `outbox salvage` through the real binary, on a real damaged file: a store is filled, closed,
/// pages of its log are overwritten with garbage, and it is moved aside the way `run` does.
@Suite("outbox salvage (real processes)")
struct SalvageCommandTests {
    /// Overwrites the `outbox` leaves at these positions (in key order) with garbage; returns the
    /// number of rows that were on them.
    static func damage(_ path: String, leaves positions: [Int]) throws -> Int64 {
        let db = try Database(path: path, mode: .readWrite(create: false))
        let leaves = try db.all("SELECT pageno, ncell FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY path")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var rows: Int64 = 0
        for position in positions {
            let page = leaves[position][0].int64 ?? 0
            rows += leaves[position][1].int64 ?? 0
            try handle.seek(toOffset: UInt64(page - 1) * 8192)
            try handle.write(contentsOf: (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 29) })
        }
        return rows
    }

    /// The ids of every held message, from `outbox inspect --json`.
    static func ids(_ fixture: Fixture) throws -> [String] {
        let result = try fixture.run("outbox", "inspect", "--json", "--limit", "100000")
        #expect(result.status == 0, "\(result)")
        return try result.stdoutLines.map { try JSON.parse($0)["id"]?.stringValue ?? "" }
    }

    @Test("recovers every message on undamaged pages with its id, reports the damaged range, exits 1; a second run appends nothing; the file is untouched")
    func salvageThroughTheBinary() async throws {
        let fixture = Fixture()
        try await FilledStore.fill(fixture, count: 600, acked: 300)
        let reference = try Self.ids(fixture)
        let peekBefore = try fixture.json("outbox", "peek", "417")
        let store = fixture.dataDir + "/outbox.sqlite"
        let lost = try Self.damage(store, leaves: [3])
        let moved = try StoreQuarantine.moveAside(directory: fixture.dataDir, fileName: OutboxStore.fileName)
        let before = FileManager.default.contents(atPath: moved)

        let first = try fixture.run("outbox", "salvage", moved, "--json")
        #expect(first.status == 1, "incomplete: some rows were on the damaged page\n\(first)")
        #expect(!first.stderr.contains("\r"), "no progress bar when stderr is not a terminal")
        let report = try JSON.parse(first.stdout)
        #expect(report["read"]?.int == 600 - lost)
        #expect(report["salvaged"]?.int == 600 - lost)
        #expect(report["already_present"]?.int == 0)
        #expect(report["source_acked_seq"]?.int == 300)
        #expect(report["complete"] == .bool(false))
        let ranges = try #require(report["unreadable"]?.arrayValue)
        #expect(ranges.count == 1)
        #expect(report["unreadable_seqs"]?.int == lost)
        #expect(ranges.first?["acked"] == .bool(true), "leaf 3 holds seqs below the file's ack")

        let salvaged = Set(try Self.ids(fixture))
        let from = ranges[0]["from_seq"]?.int ?? 0
        let to = ranges[0]["to_seq"]?.int ?? 0
        for (index, id) in reference.enumerated() {
            let seq = Int64(index + 1)
            #expect(salvaged.contains(id) == !(from...to).contains(seq), "seq \(seq) id \(id)")
        }
        // The same envelope but its seq: id, ts and payload kept.
        let newSeq = try #require(try Self.ids(fixture).firstIndex(of: peekBefore["envelope"]?["id"]?.stringValue ?? "")).advanced(by: 1)
        let peekAfter = try fixture.json("outbox", "peek", String(newSeq))
        for key in ["id", "ts", "type", "payload"] {
            #expect(peekAfter["envelope"]?[key] == peekBefore["envelope"]?[key], "\(key)")
        }

        let second = try fixture.run("outbox", "salvage", moved)
        #expect(second.status == 1, "\(second)")
        #expect(second.stdout.contains("nothing new: every message read is already in this store"), "\(second)")
        #expect(second.stdout.contains("unreadable seqs \(from)…\(to) (acked: the cloud holds them)"), "\(second)")
        #expect(try Self.ids(fixture).count == salvaged.count)
        #expect(FileManager.default.contents(atPath: moved) == before)
        #expect(try fixture.run("outbox", "verify").status == 0)
    }

    @Test("an undamaged file salvages completely and exits 0; --unacked-only leaves the acked ones out")
    func completeSalvage() async throws {
        let fixture = Fixture()
        try await FilledStore.fill(fixture, count: 40, acked: 30)
        let moved = try StoreQuarantine.moveAside(directory: fixture.dataDir, fileName: OutboxStore.fileName)
        let unacked = try fixture.json("outbox", "salvage", moved, "--unacked-only")
        #expect(unacked["salvaged"]?.int == 10 && unacked["skipped_acked"]?.int == 30)
        let all = try fixture.json("outbox", "salvage", moved)
        #expect(all["salvaged"]?.int == 30 && all["salvaged_acked"]?.int == 30 && all["already_present"]?.int == 10)
        #expect(all["complete"] == .bool(true))
    }

    @Test("a file too large for the store: salvage stops at four fifths of the size bound, exits 75 and says why")
    func stopsShortOfTheBound() async throws {
        let fixture = Fixture()
        try await FilledStore.fill(fixture, count: 6_000)
        let moved = try StoreQuarantine.moveAside(directory: fixture.dataDir, fileName: OutboxStore.fileName)
        let first = try fixture.run("outbox", "salvage", moved, "--json", "--max-outbox-bytes", "1MiB")
        #expect(first.status == 75, "\(first.stderr)")
        #expect(first.stderr.contains("salvage fills it only to 838861 of its 1048576-byte size bound"), "\(first.stderr)")
        let report = try JSON.parse(first.stdout)
        #expect(report["ceiling_bytes"]?.int == 838_861 && report["size_bound_bytes"]?.int == 1_048_576)
        let salvaged = try #require(report["salvaged"]?.int)
        #expect(salvaged > 0 && salvaged < 6_000)
        let stats = try fixture.json("outbox", "stats", "--max-outbox-bytes", "1MiB")
        #expect((stats["held_bytes"]?.int ?? .max) <= 838_861, "\(stats)")
    }

    @Test("--help names every exit status salvage can end with")
    func helpNamesEveryExitStatus() throws {
        let help = try Fixture().run("outbox", "salvage", "--help")
        #expect(help.status == 0, "\(help)")
        // Wrapped lines joined again: one space between words.
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let identity = StoreIdentity(deviceID: "d", tenantID: "t")
        let refusals: [SalvageError] = [
            .missing(path: "f"), .unreadable(path: "f", detail: ""), .notAnOutbox(path: "f"),
            .identityUnreadable(path: "f", detail: ""), .otherTenant(path: "f", source: identity, live: identity),
            .otherDevice(path: "f", source: identity, live: identity), .sameStore(path: "f"),
            .ackCursorUnreadable(path: "f"), .workingCopy(path: "f", reason: ""),
        ]
        let codes = [0, 1, 64, 69, 74, 75, 78] + refusals.map { Int(CLIFailure.status(of: $0).rawValue) }
        for code in Set(codes).sorted() {
            #expect(text.contains("· \(code) ") || text.contains("Exit codes: \(code) "), "exit \(code) is not explained:\n\(help.stdout)")
        }
    }

    @Test("refusals: no file 66, not SQLite 74, another device 78 unless --from-other-device, the live store 65, no device yet 78 and nothing created")
    func refusals() async throws {
        let fixture = Fixture()
        try await FilledStore.fill(fixture, count: 20)
        let file = fixture.root.file("other.sqlite")
        try FileManager.default.copyItem(atPath: fixture.dataDir + "/outbox.sqlite", toPath: file)

        #expect(try fixture.run("outbox", "salvage", fixture.root.file("missing.sqlite")).status == 66)
        let garbage = fixture.root.file("garbage.sqlite")
        try Data((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: garbage))
        let unreadable = try fixture.run("outbox", "salvage", garbage)
        #expect(unreadable.status == 74, "\(unreadable)")
        #expect(unreadable.stderr.contains("SQLite cannot read"))
        let live = try fixture.run("outbox", "salvage", fixture.dataDir + "/outbox.sqlite")
        #expect(live.status == 65, "\(live)")

        var other = Fixture()
        other.environment["DEVICE_ID"] = "dev-replacement"
        let refused = try other.run("outbox", "salvage", file)
        #expect(refused.status == 78, "\(refused)")
        #expect(refused.stderr.contains("--from-other-device"))
        #expect(try other.json("outbox", "salvage", file, "--from-other-device")["salvaged"]?.int == 20)

        var fresh = Fixture()
        fresh.environment.removeValue(forKey: "DEVICE_ID")
        let noDevice = try fresh.run("outbox", "salvage", file)
        #expect(noDevice.status == 78, "\(noDevice)")
        #expect(noDevice.stderr.contains("DEVICE_ID=\(Fixture.deviceID)"), "\(noDevice)")
        #expect(!FileManager.default.fileExists(atPath: fresh.dataDir + "/device_id"))
        #expect(!FileManager.default.fileExists(atPath: fresh.dataDir + "/outbox.sqlite"))
    }
}
