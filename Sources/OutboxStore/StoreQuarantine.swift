public import Foundation

/// A store that cannot be opened is moved aside (by `cloud-connector run`), so the service keeps running on a fresh one
/// (R7 then keeps its seqs above what the cloud holds) instead of refusing to start while the
/// device's work piles up. The moved file keeps everything SQLite can still read, for an audit or a
/// salvage; nothing is deleted.
public enum StoreQuarantine {
    /// `outbox.sqlite.corrupt-20261203T161000Z` beside the store.
    public static let marker = ".corrupt-"

    public struct Quarantined: Sendable, Equatable {
        public let path: String
        public let bytes: Int64
    }

    /// Moves `fileName` and its WAL and shared-memory files aside under one timestamped name;
    /// returns the new path of the main file.
    public static func moveAside(directory: String, fileName: String, now: Date = Date()) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var target = directory + "/" + fileName + marker + formatter.string(from: now)
        var suffix = 1
        while FileManager.default.fileExists(atPath: target) {
            suffix += 1
            target = directory + "/" + fileName + marker + formatter.string(from: now) + "-\(suffix)"
        }
        let files = FileManager.default
        for extra in ["-wal", "-shm"] where files.fileExists(atPath: directory + "/" + fileName + extra) {
            try files.moveItem(atPath: directory + "/" + fileName + extra, toPath: target + extra)
        }
        try files.moveItem(atPath: directory + "/" + fileName, toPath: target)
        return target
    }

    /// The stores moved aside in `directory`, oldest first.
    public static func list(directory: String, fileName: String) -> [Quarantined] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(fileName + marker) && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
            .sorted()
            .map { name in
                let path = directory + "/" + name
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
                return Quarantined(path: path, bytes: size ?? 0)
            }
    }
}
