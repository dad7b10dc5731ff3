import Foundation
import OutboxStore
import SQLiteDB
import TrafficGenerator

/// P7: bytes on disk per ~1 KB JSON event, checkpointed, broken down with SQLite's `dbstat` table.
/// "Event" is the message as sent (its envelope): payloads of ~900 B make ~1 KB events. The figure
/// is normalised to bytes on disk per 1,024 B of events as sent, and also shown per KB of payload.
struct DiskBenchmark {
    static let eventBytes = 900

    let root: String
    let events: Int

    var directory: String { root + "/p7-store" }

    struct Part: Sendable {
        var name: String
        var bytes: Int64
    }

    struct Outcome: Sendable {
        var events: Int
        /// Average event as sent (the envelope) and its payload, as appended (not as stored).
        var averageWire: Double
        var averagePayload: Double
        var averageJSON: Double
        var averageStored: Double
        var databaseBytes: Int64
        var walBytes: Int64
        var pageSize: Int64
        var parts: [Part]

        var totalBytes: Int64 { databaseBytes + walBytes }
        var bytesPerEvent: Double { Double(totalBytes) / Double(events) }
        /// Bytes on disk per 1,024 B of events as sent: the P7 figure.
        var kilobytesPerEvent: Double { bytesPerEvent / averageWire }
        var kilobytesPerPayloadKB: Double { bytesPerEvent / averagePayload }
    }

    func run() async throws -> Outcome {
        var wireBytes = 0
        var payloadBytesAppended = 0
        Stores.remove(directory)
        _ = try Stores.makeDirectory(directory)
        let store = try Stores.open(directory) { options in
            options.durability = .normal  // the figure is about bytes, not about speed
            options.maxOutboxBytes = Stores.bulkMaxOutboxBytes
        }
        Progress.say("P7: appending \(Format.grouped(events)) completed events of ~\(Self.eventBytes) B")
        do {
            defer { store.close() }  // close checkpoints the WAL (TRUNCATE)
            try await Stores.fill(store, count: events, seed: 0x0007_5EED) {
                $0.sizedEvent(approximateBytes: Self.eventBytes)
            }
            // Sizes as appended and as sent, read back through the store (payloads restored whole).
            let reader = try store.makeReader()
            var cursor: Int64 = 0
            while true {
                let page = try reader.pendingPage(after: cursor, limit: 2_000)
                guard let last = page.last else { break }
                for message in page {
                    wireBytes += message.envelope.count
                    payloadBytesAppended += message.payload.count
                }
                cursor = last.seq
            }
        }
        let path = directory + "/" + OutboxStore.fileName
        do {
            // Make sure: fold any WAL back and truncate it.
            let db = try Database(path: path, mode: .readWrite(create: false))
            _ = try db.pragma("wal_checkpoint(TRUNCATE)")
        }
        let (databaseBytes, walBytes) = Stores.fileBytes(directory)

        let db = try Database(path: path, mode: .readWrite(create: false))
        let pageSize = try db.int64("PRAGMA page_size")
        let freePages = try db.int64("PRAGMA freelist_count")
        let pageCount = try db.int64("PRAGMA page_count")
        let autoVacuum = try db.int64("PRAGMA auto_vacuum")
        let row = try db.all("SELECT count(*), avg(raw_size), avg(length(payload)), sum(length(payload)) FROM outbox")[0]
        guard row[0].int64 == Int64(events) else {
            throw BenchFailure("the P7 store holds \(row[0].int64 ?? 0) events, expected \(events)")
        }
        let payloadBytes = row[3].int64 ?? 0

        var kinds: [String: (type: String, table: String)] = [:]
        for object in try db.all("SELECT name, type, tbl_name FROM sqlite_schema") {
            kinds[object[0].text ?? ""] = (object[1].text ?? "", object[2].text ?? "")
        }
        var parts: [Part] = []
        var other: Int64 = 0
        var projections: [String: Int64] = [:]
        let stats = try db.all(
            "SELECT name, sum(pgsize), sum(payload), sum(unused) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC")
        for stat in stats {
            let name = stat[0].text ?? "?"
            let pages = stat[1].int64 ?? 0
            let kind = kinds[name]
            if name == "outbox" {
                let cellPayload = stat[2].int64 ?? 0
                let unused = stat[3].int64 ?? 0
                parts.append(Part(name: "outbox: payload blobs (sum of length(payload))", bytes: payloadBytes))
                parts.append(Part(name: "outbox: other columns + record headers", bytes: cellPayload - payloadBytes))
                parts.append(Part(name: "outbox: b-tree overhead (page/cell headers, interior pages)", bytes: pages - cellPayload - unused))
                parts.append(Part(name: "outbox: unused space inside pages", bytes: unused))
            } else if kind?.table == "outbox" && kind?.type == "index" {
                parts.append(Part(name: "index \(name)" + Self.indexNote(name), bytes: pages))
            } else if let table = kind?.table, ["executions", "usage_ledger", "metering_totals"].contains(table) {
                projections[table, default: 0] += pages
            } else {
                other += pages
            }
        }
        for table in ["executions", "usage_ledger", "metering_totals"] {
            parts.append(Part(name: "projection \(table) (with its indexes)", bytes: projections[table] ?? 0))
        }
        parts.append(Part(name: "other tables + schema", bytes: other))
        parts.append(Part(name: "free pages (\(freePages) × \(pageSize) B)", bytes: freePages * pageSize))
        // dbstat does not list the pointer-map pages auto_vacuum keeps; they are the pages left over.
        if autoVacuum != 0 {
            let accounted = parts.reduce(Int64(0)) { $0 + $1.bytes }
            let leftover = pageCount * pageSize - accounted
            if leftover > 0 {
                parts.append(Part(name: "pointer-map pages (auto_vacuum; not listed by dbstat)", bytes: leftover))
            }
        }
        if walBytes > 0 { parts.append(Part(name: "WAL file", bytes: walBytes)) }
        return Outcome(
            events: events, averageWire: Double(wireBytes) / Double(events),
            averagePayload: Double(payloadBytesAppended) / Double(events), averageJSON: Self.number(row[1]),
            averageStored: Self.number(row[2]), databaseBytes: databaseBytes, walBytes: walBytes,
            pageSize: pageSize, parts: parts)
    }

    private static func number(_ value: SQLiteValue) -> Double {
        switch value {
        case .real(let number): number
        case .integer(let number): Double(number)
        default: 0
        }
    }

    private static func indexNote(_ name: String) -> String {
        switch name {
        case "sqlite_autoindex_outbox_1": " (id UNIQUE)"
        case "outbox_natural_key": " (type, natural_key)"
        case "outbox_by_request": " (request_id)"
        default: ""
        }
    }

    static func table(_ outcome: Outcome) -> Table {
        var table = Table(
            "P7 — bytes on disk per ~1 KB JSON event (\(Format.grouped(outcome.events)) events, checkpointed)",
            headers: ["part", "bytes", "B per event", "share"])
        let total = Double(outcome.totalBytes)
        for part in outcome.parts {
            table.add([
                part.name, Format.grouped(part.bytes), Format.fixed(Double(part.bytes) / Double(outcome.events), 1),
                Format.percent(Double(part.bytes) / total),
            ])
        }
        let accounted = outcome.parts.reduce(0) { $0 + $1.bytes }
        if accounted != outcome.totalBytes {
            table.add(["(not accounted)", Format.grouped(outcome.totalBytes - accounted), "", ""])
        }
        table.add([
            "total file bytes", Format.grouped(outcome.totalBytes), Format.fixed(outcome.bytesPerEvent, 1), "100.0 %",
        ])
        table.add([
            "KB on disk per KB of events as sent — target ≤ 0.7", Format.fixed(outcome.kilobytesPerEvent, 3), "",
            Format.verdict(outcome.kilobytesPerEvent <= 0.7),
        ])
        table.add(["KB on disk per KB of payload JSON (for reference)", Format.fixed(outcome.kilobytesPerPayloadKB, 3), "", ""])
        table.notes = [
            "events: TrafficGenerator.sizedEvent(approximateBytes: \(eventBytes)): progress events of running "
                + "executions (3–12 events each) with long messages, the last completing it with a long result",
            "as sent (envelope) avg \(Format.fixed(outcome.averageWire, 0)) B; payload as appended avg "
                + "\(Format.fixed(outcome.averagePayload, 0)) B JSON; stored JSON (fields the typed columns hold left out) avg "
                + "\(Format.fixed(outcome.averageJSON, 0)) B; compressed avg \(Format.fixed(outcome.averageStored, 0)) B",
            "page size \(outcome.pageSize) B; breakdown from the dbstat virtual table",
        ]
        return table
    }
}
