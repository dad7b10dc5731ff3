import ArgumentParser
import ConnectorCore
import Foundation
import OutboxStore

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one outbox message (for scripts and demos). Creates the store if needed.",
        discussion: """
            The payload is validated against PROTOCOL.md §4 before anything is created or written; \
            bad JSON or an invalid payload exits 65 naming the exact field. Returns once the message \
            is durably committed, and prints its seq and id. A payload whose event_id/report_id is \
            already stored with the same content is a duplicate: nothing new is written and the stored \
            seq and id are printed. Runs safely beside the service and other appenders.

            Examples:
              cloud-connector outbox append --type execution_event --payload "$(cat event.json)"
              cloud-connector outbox append --type usage_report --payload - < report.json
            """)

    /// Far above the 1 MiB frame limit (R3), so the store, not this cap, names the size problem.
    static let maxInputBytes = 8 << 20

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tuning: StoreTuningOptions

    @Option(name: .customLong("type"), help: "The message type. Example: --type usage_report")
    var messageType: MessageTypeArgument

    @Option(help: ArgumentHelp(
        "The payload JSON object, or - to read it from stdin. Example: --payload '{\"request_id\": ...}' or --payload -",
        valueName: "json|-"))
    var payload: String

    func run() throws {
        let context = try CommandContext(global, tuning: tuning)
        let type = messageType.type
        let value = try JSON.parse(try Self.payloadBytes(payload))
        // Checked before the store (or even the data directory) is created: bad input writes nothing.
        do {
            _ = try OutboxPayload.validate(type: type, payload: value)
        } catch {
            throw OutboxError.invalidPayload(type: type, error)
        }
        let store = try context.openOrCreateStore()
        defer { store.close() }
        let appended = try store.appendAndWait([MessageDraft(type: type, payload: value)])[0]
        if context.json {
            Console.out(json: [
                "seq": .int(appended.seq),
                "id": .string(appended.id.description),
                "type": .string(appended.type.rawValue),
                "ts": .time(appended.createdAtMS),
                "duplicate": .bool(appended.duplicate),
            ])
        } else if appended.duplicate {
            Console.out("duplicate: already stored as seq \(appended.seq) id \(appended.id) (\(type.rawValue)); nothing new written")
        } else {
            Console.out("appended seq \(appended.seq) id \(appended.id) (\(type.rawValue))")
        }
    }

    static func payloadBytes(_ argument: String) throws -> [UInt8] {
        guard argument == "-" else { return Array(argument.utf8) }
        var bytes: [UInt8] = []
        while let chunk = try FileHandle.standardInput.read(upToCount: 64 << 10), !chunk.isEmpty {
            bytes.append(contentsOf: chunk)
            if bytes.count > maxInputBytes {
                throw CLIFailure(.dataError, "the payload on stdin is larger than \(maxInputBytes) bytes; outbox messages are at most 1 MiB (R3). Nothing was written.")
            }
        }
        return bytes
    }
}
