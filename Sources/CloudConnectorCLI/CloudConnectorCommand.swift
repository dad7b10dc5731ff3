import ArgumentParser
import Foundation
import Logging

@main
struct CloudConnectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-connector",
        abstract: "Mindscape Cloud Connector: keeps the device linked to its cloud, with a durable outbox of every report.",
        discussion: """
            Every command that touches data takes --data-dir PATH (default $CLOUD_CONNECTOR_DATA_DIR, \
            else ~/.mindscape) and --json (stable JSON on stdout, shapes in docs/cli.md). Results go to \
            stdout, errors and logs to stderr. Secret values (token, reply_token, api keys) are redacted \
            in all output unless `outbox peek --reveal`.

            Environment: DEVICE_ID, TENANT_ID (default local), CLOUD_WS_URL (unset = standalone), \
            CLOUD_API_URL, CLOUD_API_KEY, CLOUD_CONNECTOR_DATA_DIR, OUTBOX_DURABILITY, OUTBOX_MAX_BYTES, \
            OUTBOX_RETENTION, LOG_LEVEL (default warning).

            Exit codes: 0 ok · 1 verify found differences, salvage left messages behind, doctor found a problem, or a conformance check failed · 64 usage error · 65 bad input data · \
            66 no outbox / no such message or request · 69 store or data directory locked · \
            70 internal error · 73 cannot create an output file · 74 I/O or storage error (disk full) · \
            75 outbox full, retry later · 78 configuration error (bad env var, identity mismatch, schema too new).

            Examples:
              CLOUD_WS_URL=ws://127.0.0.1:8080/ws cloud-connector run
              cloud-connector status
              cloud-connector device
              cloud-connector outbox stats --json
              cloud-connector metering totals --group-by day,model
              cloud-connector doctor                                      # is this install healthy?
              cloud-connector conformance --url ws://127.0.0.1:8080/ws    # check a cloud against PROTOCOL.md
            """,
        subcommands: [
            RunCommand.self, StatusCommand.self, DoctorCommand.self, DeviceCommand.self, OutboxCommand.self, TimelineCommand.self,
            MeteringCommand.self, ConformanceCommand.self,
        ])

    /// Parses, then runs with every failure turned into one sentence on stderr and a documented exit
    /// status. ArgumentParser's own outcomes (help, usage errors) keep its handling and exit 64.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        // doctor reports a bad LOG_LEVEL as one of its findings instead of refusing to look.
        bootstrapLogging(defaultLevel: command is RunCommand ? .info : .warning, badLevelIsFatal: !(command is DoctorCommand))
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error where Self.isArgumentParserOutcome(error) {
            exit(withError: error)
        } catch {
            let failure = CLIFailure(error)
            Console.error("cloud-connector: \(failure.message)")
            Foundation.exit(failure.status.rawValue)
        }
    }

    /// Help, usage errors and explicit exit codes, which ArgumentParser prints and maps itself. Some
    /// of its error types are internal (the root's --help arrives as one), hence the module check.
    private static func isArgumentParserOutcome(_ error: any Error) -> Bool {
        error is ExitCode || error is CleanExit || error is ValidationError
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// Logs go to stderr so stdout stays parseable; warning and above (info for the service) unless
    /// LOG_LEVEL says otherwise.
    /// A LOG_LEVEL that names no level is a configuration error, not silently the default.
    private static func bootstrapLogging(defaultLevel: Logger.Level, badLevelIsFatal: Bool) {
        var level = defaultLevel
        if let text = ProcessInfo.processInfo.environment["LOG_LEVEL"], !text.isEmpty {
            if let parsed = Logger.Level(rawValue: text.lowercased()) {
                level = parsed
            } else if badLevelIsFatal {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                FileHandle.standardError.write(
                    Data("cloud-connector: LOG_LEVEL=\(text) is not a log level; use one of \(levels), or unset it.\n".utf8))
                Foundation.exit(ExitStatus.configuration.rawValue)
            }
        }
        LoggingSystem.bootstrap { [level] label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
