/// A titled table with notes, printed as aligned text or as Markdown.
struct Table: Sendable {
    enum Alignment: Sendable {
        case left
        case right
    }

    var title: String
    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []
    var notes: [String] = []

    init(_ title: String, headers: [String], alignments: [Alignment]? = nil) {
        self.title = title
        self.headers = headers
        self.alignments = alignments ?? ([.left] + Array(repeating: .right, count: max(0, headers.count - 1)))
    }

    mutating func add(_ row: [String]) {
        rows.append(row + Array(repeating: "", count: max(0, headers.count - row.count)))
    }

    func render(markdown: Bool) -> String {
        markdown ? renderMarkdown() : renderText()
    }

    private func renderText() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return alignments[column] == .left ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var out = [title, String(repeating: "=", count: title.count), line(headers)]
        out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        out += rows.map(line)
        out += notes.map { "  " + $0 }
        return out.joined(separator: "\n") + "\n"
    }

    private func renderMarkdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var out = ["#### " + title, "", line(headers)]
        out.append("|" + alignments.map { $0 == .left ? " :--- " : " ---: " }.joined(separator: "|") + "|")
        out += rows.map(line)
        if !notes.isEmpty {
            out.append("")
            out += notes.map { "- " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
