import ArgumentParser
import Foundation
import ConnectorCore
import OutboxStore

struct MeteringTotalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totals",
        abstract: "Usage totals per currency over a half-open UTC day range, optionally grouped.",
        discussion: """
            Reads the metering totals projection, which equals what `metering export` writes for the \
            same range. Reports without a cost_estimate have currency "" (shown as -). Costs in \
            different currencies are never added together.

            Examples:
              cloud-connector metering totals
              cloud-connector metering totals --from 2026-11-01 --to 2026-12-01 --group-by day,workspace,model
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("First UTC day counted (inclusive); default 30 days ago. Example: --from 2026-11-01", valueName: "day"))
    var from: String?

    @Option(help: ArgumentHelp("UTC day after the last one counted (exclusive); default tomorrow. Example: --to 2026-12-01", valueName: "day"))
    var to: String?

    @Option(
        name: .customLong("group-by"),
        help: ArgumentHelp("Group by any of day, workspace, model (comma-separated or repeated). Example: --group-by day,model", valueName: "keys"))
    var groupBy: [String] = []

    func run() throws {
        let context = try CommandContext(global)
        let now = context.nowMS
        let range = try TimeArguments.dayRange(
            from: from ?? UTCDay.string(milliseconds: now - 30 * 86_400_000),
            to: to ?? UTCDay.string(milliseconds: now + 86_400_000))
        let grouping = try Self.grouping(groupBy)
        let totals = try context.withReader { reader, _ in
            try reader.meteringTotals(fromDay: range.from, toDay: range.to, groupBy: grouping.set)
        }
        if context.json {
            Console.out(json: [
                "from": .string(range.from),
                "to": .string(range.to),
                "group_by": .array(grouping.names.map { .string($0) }),
                "totals": .array(totals.map { Self.json($0, grouping.set) }),
            ])
            return
        }
        var columns: [TextTable.Column] = []
        if grouping.set.contains(.day) { columns.append(.left("day")) }
        if grouping.set.contains(.workspace) { columns.append(.left("workspace")) }
        if grouping.set.contains(.model) { columns.append(.left("model")) }
        columns += [
            .left("currency"), .right("reports"), .right("duration_ms"), .right("prompt"), .right("completion"),
            .right("total tokens"), .right("cost"),
        ]
        var table = TextTable(columns)
        for total in totals {
            var row: [String] = []
            if grouping.set.contains(.day) { row.append(total.day ?? "") }
            if grouping.set.contains(.workspace) { row.append(Self.orDash(total.workspaceID)) }
            if grouping.set.contains(.model) { row.append(Self.orDash(total.model)) }
            row += [
                Self.orDash(total.currency), String(total.reports), String(total.durationMS), String(total.promptTokens),
                String(total.completionTokens), String(total.totalTokens), MicroAmount.format(total.costMicros),
            ]
            table.add(row)
        }
        Console.out("usage for UTC days [\(range.from), \(range.to))")
        if totals.isEmpty {
            Console.out("no usage reports in this range")
        } else {
            Console.out(lines: table.render())
        }
    }

    static func orDash(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "-" }
        return text
    }

    static func json(_ total: MeteringTotal, _ grouping: MeteringGrouping) -> JSONValue {
        var object = JSONObject()
        if grouping.contains(.day) { object["day"] = .string(total.day ?? "") }
        if grouping.contains(.workspace) { object["workspace_id"] = .string(total.workspaceID ?? "") }
        if grouping.contains(.model) { object["model"] = .string(total.model ?? "") }
        object["currency"] = .string(total.currency)
        object["reports"] = .int(total.reports)
        object["duration_ms"] = .int(total.durationMS)
        object["prompt_tokens"] = .int(total.promptTokens)
        object["completion_tokens"] = .int(total.completionTokens)
        object["total_tokens"] = .int(total.totalTokens)
        object["cost"] = .string(MicroAmount.format(total.costMicros))
        object["cost_micros"] = .int(total.costMicros)
        return .object(object)
    }

    /// "day,model" and repeated flags alike; names kept in the canonical order day, workspace, model.
    static func grouping(_ values: [String]) throws -> (set: MeteringGrouping, names: [String]) {
        var set: MeteringGrouping = []
        for name in values.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            switch name {
            case "day": set.insert(.day)
            case "workspace": set.insert(.workspace)
            case "model": set.insert(.model)
            default: throw ValidationError("--group-by \"\(name)\" is not one of day, workspace, model.")
            }
        }
        let names = [("day", MeteringGrouping.day), ("workspace", .workspace), ("model", .model)]
            .filter { set.contains($0.1) }.map(\.0)
        return (set, names)
    }
}
