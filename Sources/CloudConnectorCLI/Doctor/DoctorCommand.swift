import ArgumentParser
import CloudConnector
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check everything the connector depends on and explain each finding: the first thing to run.",
        discussion: """
            Reads the same configuration as `run` (the environment, the flags below, <data>/config.json) \
            and checks, without changing anything and beside a running service: the settings; the data \
            directory and its files (owner-only: 0700 and 0600, owned by the service's user); whether a \
            service runs there; the device identity against the store's owner; the store (opened \
            read-only: schema, SQLite's quick_check, the backlog against the size bound, stores moved \
            aside as unreadable, free disk space); the local API port; the command handlers; and, with \
            a cloud configured, DNS and TCP to it, TLS with the real reason of a certificate failure, \
            GET {api}/device-token (the token is never shown) and the clock against the cloud's Date \
            header.

            Each row is ok, warning, problem or skipped, with what was found, why it matters and what \
            to do. Exit status: 0 when nothing is a problem (warnings allowed), 1 when anything is, 64 \
            for a bad flag. A LOG_LEVEL that names no level stops every other command (exit 78); here it is a finding.

            The WebSocket handshake is not tried by default: a second session for this device makes \
            many clouds (the reference cloud too) close the one the running service holds, which then \
            reconnects. --handshake tries it anyway: best with the service stopped.

            Examples:
              cloud-connector doctor
              cloud-connector doctor --data-dir /var/lib/cloud-connector --json | jq '.findings[] | select(.status != "ok")'
              cloud-connector doctor --full          # integrity_check without a time limit
              cloud-connector doctor --handshake     # also open the WebSocket (service stopped)
              cloud-connector doctor --offline       # no network: the local checks only
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tuning: StoreTuningOptions

    @Flag(
        help: "Check the store with PRAGMA integrity_check (also every index against its table) and no time limit, instead of quick_check limited to 10 s. It reads the whole file: slow on a large store. Example: --full")
    var full = false

    @Flag(
        help: "Also open the WebSocket with the fetched token, send connect and wait for connect_ack (then close 1000). May make the cloud close the running service's session; it reconnects. Example: --handshake")
    var handshake = false

    @Flag(help: "No network: skip the cloud checks (DNS, TCP, TLS, token, clock). Example: --offline")
    var offline = false

    @Option(
        name: .customLong("time-limit"),
        help: ArgumentHelp(
            "How long the store's quick_check may run before it is reported unfinished (it reads every page). Default 10s; --full has none. Example: --time-limit 60s",
            valueName: "duration"))
    var timeLimit: String?

    @Option(
        help: ArgumentHelp(
            "How long each network step may take (connect, token request, handshake). Default 10s. Example: --timeout 30s",
            valueName: "duration"))
    var timeout: String?

    func run() async throws {
        let options = DoctorOptions(
            flags: ConnectorConfiguration.Flags(
                dataDirectory: global.dataDirectory, durability: tuning.durability, maxOutboxBytes: tuning.maxOutboxBytes),
            full: full, handshake: handshake, offline: offline,
            networkTimeout: try Self.duration(timeout, flag: "--timeout") ?? .seconds(10),
            integrityTimeLimit: try Self.duration(timeLimit, flag: "--time-limit") ?? .seconds(10))
        var doctor = Doctor(environment: ProcessInfo.processInfo.environment, options: options)
        let report = await doctor.run()
        if global.json {
            Console.out(json: report.json)
        } else {
            Console.out(lines: report.lines())
        }
        if report.hasProblem { throw ExitCode(ExitStatus.differences.rawValue) }
    }

    static func duration(_ text: String?, flag: String) throws -> Duration? {
        guard let text else { return nil }
        guard let milliseconds = DurationText.parseMilliseconds(text), milliseconds > 0 else {
            throw ValidationError("\(flag) must be a duration above zero such as 10s or 500ms, not \"\(text)\".")
        }
        return .milliseconds(milliseconds)
    }
}
