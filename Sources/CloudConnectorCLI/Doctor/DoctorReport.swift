import ConnectorCore

/// Every finding of one `doctor` run, and the two ways to show them.
struct DoctorReport: Sendable {
    let dataDirectory: String?
    let findings: [DoctorFinding]

    var hasProblem: Bool { findings.contains { $0.status == .problem } }

    func count(_ status: DoctorFinding.Status) -> Int { findings.filter { $0.status == status }.count }

    var json: JSONValue {
        [
            "data_dir": .string(dataDirectory),
            "healthy": .bool(!hasProblem),
            "summary": .object(JSONObject(DoctorFinding.Status.allCases.map { ($0.rawValue, .int(count($0))) })),
            "findings": .array(findings.map(\.json)),
        ]
    }

    /// A table whose message column is wrapped, so each row stays readable in an 100-column terminal.
    func lines(width: Int = 110) -> [String] {
        let checkWidth = max(5, findings.map(\.check.count).max() ?? 0)
        let statusWidth = DoctorFinding.Status.allCases.map(\.rawValue.count).max() ?? 7
        let indent = checkWidth + statusWidth + 4
        let messageWidth = max(40, width - indent)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines: [String] = []
        if let dataDirectory { lines += ["data directory \(dataDirectory)", ""] }
        lines.append(pad("CHECK", checkWidth) + "  " + pad("STATUS", statusWidth) + "  FINDING")
        for finding in findings {
            let wrapped = Self.wrap(finding.message, width: messageWidth)
            lines.append(pad(finding.check, checkWidth) + "  " + pad(finding.status.rawValue, statusWidth) + "  " + (wrapped.first ?? ""))
            lines += wrapped.dropFirst().map { String(repeating: " ", count: indent) + $0 }
        }
        lines.append("")
        lines.append(summary)
        return lines
    }

    var summary: String {
        let counts = DoctorFinding.Status.allCases.compactMap { status -> String? in
            let count = count(status)
            guard count > 0 else { return nil }
            let plural = count > 1 && (status == .warning || status == .problem) ? "s" : ""
            return "\(count) \(status.rawValue)\(plural)"
        }.joined(separator: ", ")
        return hasProblem
            ? "\(counts): the connector cannot work as configured; fix the problems above (exit 1)."
            : "\(counts): no problems."
    }

    /// Greedy word wrap; a word longer than the width (a path, a URL) gets a line of its own.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }
}
