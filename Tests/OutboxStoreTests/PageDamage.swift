import ConnectorCore
import Foundation
@testable import OutboxStore
import SQLiteDB

/// Real damage to a closed store file: whole pages overwritten with garbage, as a bad sector or a torn
/// write would leave them. Which pages hold what comes from SQLite's own `dbstat` table.
enum PageDamage {
    struct Page {
        let number: Int64
        let cells: Int64
    }

    /// The leaf pages of a table or index, in key order (`dbstat`'s path sorts as the tree does).
    static func leaves(_ path: String, of btree: String) throws -> [Page] {
        let db = try Database(path: path, mode: .readWrite(create: false))
        return try db.all(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path", [.text(btree)]
        ).map { Page(number: $0[0].int64 ?? 0, cells: $0[1].int64 ?? 0) }
    }

    /// The seqs held on a leaf page of the `outbox` table.
    static func seqs(_ path: String, onLeaf page: Int64) throws -> [Int64] {
        let db = try Database(path: path, mode: .readWrite(create: false))
        let leaves = try db.all(
            "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY path").compactMap { $0[0].int64 }
        guard let index = leaves.firstIndex(of: page) else { return [] }
        // Leaves hold consecutive key ranges in tree order: count the cells before this one.
        let cells = try db.all(
            "SELECT ncell FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY path").compactMap { $0[0].int64 }
        let skip = cells[..<index].reduce(0, +)
        return try db.all("SELECT seq FROM outbox ORDER BY seq LIMIT ? OFFSET ?", [.integer(cells[index]), .integer(skip)])
            .compactMap { $0[0].int64 }
    }

    static func overwrite(_ path: String, pages: [Int64], pageSize: Int = 8192) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        for page in pages {
            let garbage = (0..<pageSize).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ Int(page) &* 7 &+ 13) }
            try handle.seek(toOffset: UInt64(page - 1) * UInt64(pageSize))
            try handle.write(contentsOf: garbage)
        }
        try handle.synchronize()
    }

    static func bytes(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path)
    }
}

extension PageDamage {
    /// A store of `count` messages of every type (events with ~250-byte progress messages, usage
    /// reports, replies), acked through `ackedThrough`, closed so the WAL is checkpointed.
    static func buildStore(_ directory: TemporaryDirectory, count: Int, ackedThrough: Int64 = 0) async throws {
        let store = try openStore(directory)
        var drafts: [MessageDraft] = []
        for index in 0..<count {
            let request = "req-\(index / 10)"
            switch index % 10 {
            case 0: drafts.append(Drafts.event(request, "accepted", eventID: "ev-\(index)", data: ["job_type": "tool"]))
            case 4: drafts.append(Drafts.usage(request, reportID: "rep-\(index)", tokens: Int64(100 + index)))
            case 7: drafts.append(Drafts.reply(request))
            case 9: drafts.append(Drafts.event(request, "completed", eventID: "ev-\(index)", data: ["result": ["n": .number(JSONNumber(Int64(index)))]]))
            default:
                let text = "step \(index): " + String(repeating: "fetched rows and wrote a summary; ", count: 7)
                drafts.append(Drafts.event(request, "progress", eventID: "ev-\(index)", data: ["message": .string(text)]))
            }
            if drafts.count == 50 {
                _ = try await store.append(drafts)
                drafts.removeAll()
            }
        }
        if !drafts.isEmpty { _ = try await store.append(drafts) }
        if ackedThrough > 0 { _ = try await store.acknowledge(through: ackedThrough) }
        store.close()
    }
}
