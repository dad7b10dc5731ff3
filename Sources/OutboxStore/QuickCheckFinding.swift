/// One line of `PRAGMA quick_check` output, sorted by what it costs the store.
///
/// Only a leaked page — one no b-tree and no freelist uses, "never used" — is harmless: it wastes its
/// bytes until a vacuum, and every row still reads and every write still lands where it should.
/// Everything else (a page that does not parse, a bad cell or child pointer, a page used twice, a
/// freelist that does not add up, a NULL or CHECK violation) means rows that do not read or writes
/// that may overwrite live pages, so it is damage, and `run` moves the store aside. Unknown wording
/// counts as damage too: quarantine loses nothing (salvage brings every readable row back), while
/// running on a damaged store can.
enum QuickCheckFinding: Equatable {
    case harmless(String)
    case damage(String)

    /// The findings in quick_check's rows: one row may hold several lines, and the
    /// `*** in database main ***` header is no finding; "ok" is none.
    static func parse(_ rows: [String]) -> [QuickCheckFinding] {
        rows.flatMap { $0.split(separator: "\n") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "ok" && !($0.hasPrefix("*** in database") && $0.hasSuffix("***")) }
            .map { isLeakedPage($0) ? .harmless($0) : .damage($0) }
    }

    /// "Page 104 is never used" (SQLite up to 3.4x) or "Page 104: never used" (later).
    static func isLeakedPage(_ line: String) -> Bool {
        guard line.hasPrefix("Page ") else { return false }
        let rest = line.dropFirst(5)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return false }
        let tail = rest.dropFirst(digits.count)
        return tail == " is never used" || tail == ": never used"
    }
}
