import ArgumentParser
import CloudConnector
import ConnectorCore
@_spi(Faults) import OutboxStore

struct PeekCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peek",
        abstract: "Print one message exactly as it is sent (its envelope), as pretty JSON.",
        discussion: """
            Secret values (token, reply_token, api_key, authorization, password, ...) are replaced by \
            "[redacted]" unless --reveal is given. The envelope is the same on every resend (R2).

            Examples:
              cloud-connector outbox peek 42
              cloud-connector outbox peek 42 --reveal
              cloud-connector outbox peek 42 --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message's seq (see outbox inspect). Example: 42")
    var seq: Int64

    @Flag(help: "Show secret values instead of [redacted]. Careful where the output goes. Example: --reveal")
    var reveal = false

    func run() throws {
        let context = try CommandContext(global)
        let faults = TestFaults.active(context.environment, logger: context.logger)
        let (found, state) = try context.withReader { reader, _ in
            (try reader.message(seq: seq), try reader.sequenceState())
        }
        guard let message = found else {
            throw CLIFailure(
                .noInput,
                "no message with seq \(seq) is held (highest seq assigned: \(state.lastSeq), pruned through \(state.prunedThrough); progress events may have been dropped under the size bound). List held seqs with outbox inspect.")
        }
        let envelope = try Self.envelope(message, reveal: reveal, faults: faults)
        if context.json {
            Console.out(json: [
                "seq": .int(message.seq),
                "acked": .bool(message.acked),
                "raw_size": .int(message.rawSize),
                "stored_size": .int(message.storedSize),
                "redacted": .bool(!reveal),
                "envelope": envelope,
            ])
            return
        }
        Console.out(
            "seq \(message.seq) · \(message.type.rawValue) · \(message.acked ? "acked" : "pending") · \(message.rawSize) B raw, \(message.storedSize) B stored\(reveal ? " · secrets shown" : "")")
        Console.out(JSON.encodePretty(envelope))
    }

    /// The envelope as JSON, secrets redacted unless revealed. The one place peek output is made,
    /// so the skipRedaction fault (tests only) acts exactly where a real leak would.
    static func envelope(_ message: StoredMessage, reveal: Bool, faults: OutboxFaults) throws -> JSONValue {
        let value = try JSON.parse(message.envelope)
        return reveal || faults.contains(.skipRedaction) ? value : Redaction.redact(value)
    }
}
