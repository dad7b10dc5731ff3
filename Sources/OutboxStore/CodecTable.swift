import LZ4Codec
import SQLiteDB

/// The payload codecs a store knows, as recorded in its `codecs` table. Rows name their codec, and a
/// dictionary is stored with its codec, so a row stays readable whatever dictionary later binaries ship.
struct CodecTable: Sendable {
    static let identity = 0
    static let lz4 = 1

    struct Entry: Sendable {
        let code: Int
        let name: String
        let dictionary: LZ4Dictionary?
    }

    let entries: [Int: Entry]
    /// The codec new payloads are compressed with: the newest dictionary this binary ships.
    let preferred: Entry

    /// Records the dictionaries this binary ships (first open after an upgrade) and loads the table.
    static func load(_ db: Database) throws -> CodecTable {
        for shipped in ShippedDictionaries.all {
            let existing = try db.prepare("SELECT name, dictionary FROM codecs WHERE code = ?")
                .all([.integer(Int64(shipped.code))]).first
            if let existing {
                guard existing[0].text == shipped.name, existing[1] == .blob(shipped.bytes) else {
                    throw OutboxError.corrupt(
                        path: db.path,
                        detail: "codec \(shipped.code) is recorded as a different dictionary than "
                            + "\(shipped.name) that this binary ships")
                }
            } else {
                try db.run(
                    "INSERT INTO codecs(code, name, dictionary) VALUES (?, ?, ?)",
                    [.integer(Int64(shipped.code)), .text(shipped.name), .blob(shipped.bytes)])
            }
        }
        var entries: [Int: Entry] = [:]
        for row in try db.all("SELECT code, name, dictionary FROM codecs") {
            guard let code = row[0].int64, let name = row[1].text else { continue }
            var dictionary: LZ4Dictionary?
            if case .blob(let bytes) = row[2] { dictionary = LZ4Dictionary(bytes: bytes) }
            entries[Int(code)] = Entry(code: Int(code), name: name, dictionary: dictionary)
        }
        let newest = ShippedDictionaries.all.map(\.code).max()
        let preferred = newest.flatMap { entries[$0] } ?? Entry(code: lz4, name: "lz4", dictionary: nil)
        return CodecTable(entries: entries, preferred: preferred)
    }

    /// The codecs of a store that may be damaged, read without writing anything: this binary's
    /// shipped dictionaries (`load` checks on every open that a store records them under the same
    /// code with the same bytes), overridden by whatever the store's own table still gives.
    static func readOnly(_ db: Database) -> CodecTable {
        var entries: [Int: Entry] = [identity: Entry(code: identity, name: "identity", dictionary: nil),
                                     lz4: Entry(code: lz4, name: "lz4", dictionary: nil)]
        for shipped in ShippedDictionaries.all {
            entries[shipped.code] = Entry(code: shipped.code, name: shipped.name, dictionary: LZ4Dictionary(bytes: shipped.bytes))
        }
        for row in (try? db.all("SELECT code, name, dictionary FROM codecs")) ?? [] {
            guard let code = row[0].int64, let name = row[1].text else { continue }
            var dictionary: LZ4Dictionary?
            if case .blob(let bytes) = row[2] { dictionary = LZ4Dictionary(bytes: bytes) }
            entries[Int(code)] = Entry(code: Int(code), name: name, dictionary: dictionary)
        }
        return CodecTable(entries: entries, preferred: entries[lz4]!)
    }

    func decode(codec: Int, stored: UnsafeRawBufferPointer, rawSize: Int) throws -> [UInt8] {
        if codec == Self.identity { return [UInt8](stored) }
        guard let entry = entries[codec] else {
            throw OutboxError.corrupt(path: "", detail: "a row names codec \(codec), which the store does not record")
        }
        return try LZ4Block.decompress(stored, originalSize: rawSize, dictionary: entry.dictionary)
    }
}
