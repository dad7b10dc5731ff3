import Foundation
import OutboxStore

/// What an export wrote, per currency, for the summary line.
struct ExportSummary {
    struct Sums {
        var reports: Int64 = 0
        var totalTokens: Int64 = 0
        var costMicros: Int64 = 0
    }

    var records: Int64 = 0
    private var sums: [String: Sums] = [:]

    var byCurrency: [(String, Sums)] { sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    mutating func add(_ entry: LedgerEntry) {
        records += 1
        sums[entry.usage.currency, default: Sums()].reports += 1
        sums[entry.usage.currency, default: Sums()].totalTokens += entry.usage.totalTokens
        sums[entry.usage.currency, default: Sums()].costMicros += entry.usage.costMicros
    }

    static func path(_ requested: String) -> String {
        requested.hasPrefix("/") ? requested : FileManager.default.currentDirectoryPath + "/" + requested
    }
}
