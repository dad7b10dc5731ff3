/// Aligned plain-text columns for people: two spaces between columns, numbers right-aligned.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        let title: String
        let alignment: Alignment

        static func left(_ title: String) -> Column { Column(title: title, alignment: .left) }
        static func right(_ title: String) -> Column { Column(title: title, alignment: .right) }
    }

    let columns: [Column]
    private(set) var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// Widths that fit the titles and every row added so far.
    var widths: [Int] {
        columns.indices.map { index in
            rows.reduce(columns[index].title.count) { max($0, $1[index].count) }
        }
    }

    func render() -> [String] {
        let widths = widths
        return [header(widths)] + rows.map { line($0, widths) }
    }

    func header(_ widths: [Int]) -> String {
        line(columns.map(\.title), widths)
    }

    /// A row laid out with fixed widths; a longer value pushes the rest of its row right rather
    /// than being cut, because a truncated id is worse than a ragged line.
    func line(_ cells: [String], _ widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "  " }
            let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
            text += columns[index].alignment == .right ? padding + cell : cell + padding
        }
        while text.last == " " { text.removeLast() }
        return text
    }

    /// "label   value" pairs, labels padded to one width: the summary blocks above tables.
    static func keyValues(_ pairs: [(String, String)]) -> [String] {
        let width = pairs.reduce(0) { max($0, $1.0.count) }
        return pairs.map { label, value in
            label + String(repeating: " ", count: width - label.count) + "  " + value
        }
    }
}
