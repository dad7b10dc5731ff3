import ArgumentParser
import CloudConnector
import Conformance
import Foundation
import Logging
import WebSocketTransport

/// `cloud-connector conformance`: the kit a cloud team runs against its own platform.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check a cloud against PROTOCOL.md's cloud-side rules by playing a device; prints pass/fail by rule.",
        discussion: """
            Plays the device side of PROTOCOL.md against the cloud at --url and judges what the cloud \
            must do: the device token (§3.1), connect_ack and the three refusals (§3.4), cumulative \
            durable acks (R5), gaps (R4), dedupe (R6), heartbeat_ack (R9), and bad, unknown and \
            1 MiB frames (§1, R15). Frames the cloud sends are read with the connector's own decoder, \
            so what fails here fails for a real device. `--list` shows every check.

            Each check is independent: its own connections and its own device, called \
            <--device-id-prefix><random UUID>, so the kit can be run again and again against a real \
            cloud without meeting what an earlier run left there. It does leave data behind: a few \
            outbox messages (progress events and small usage reports, model "conformance") per check, \
            under those device ids. Whether duplicates are *counted* once (R6.counted-once) cannot be \
            seen on the wire: it is judged only when the cloud serves GET {api}/admin/devices/{id}/counts \
            shaped like the reference cloud's, and skipped otherwise. A skip does not fail the run.

            Environment, when the flag is not given: CLOUD_WS_URL (--url), CLOUD_API_URL (--api-url), \
            CLOUD_API_KEY (--api-key; never printed — prefer it to the flag, which other users can see \
            in the process list), TENANT_ID (--tenant-id, default local), CLOUD_CA_FILE (--ca-file), \
            CLOUD_TLS_INSECURE=1 (--insecure).

            Exit codes: 0 every check passed (skips allowed) · 1 at least one check failed · \
            64 usage error (bad flag, unknown --only name) · 70 internal error · 78 configuration \
            error (bad URL, unreadable --ca-file).

            Examples:
              cloud-connector conformance --url ws://127.0.0.1:8080/ws
              cloud-connector conformance --url wss://cloud.example/ws --tenant-id acme
              CLOUD_WS_URL=wss://cloud.example/ws cloud-connector conformance --only R5
              cloud-connector conformance --only R9 --timeout 10s --json
              cloud-connector conformance --list
            """)

    @Option(
        name: .customLong("url"),
        help: ArgumentHelp(
            "The cloud's WebSocket URL (ws:// or wss://). Default: $CLOUD_WS_URL. Example: --url wss://cloud.example/ws",
            valueName: "ws-url"))
    var url: String?

    @Option(
        name: .customLong("api-url"),
        help: ArgumentHelp(
            "The HTTP base for /device-token. Default: $CLOUD_API_URL, else derived from --url (ws→http, wss→https, same host and port). Example: --api-url https://api.cloud.example",
            valueName: "url"))
    var apiURL: String?

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp(
            "Sent as Authorization: Bearer to GET {api}/device-token. Default: $CLOUD_API_KEY. Never printed.",
            valueName: "key"))
    var apiKey: String?

    @Option(
        name: .customLong("tenant-id"),
        help: ArgumentHelp("The tenant every check's device belongs to. Default: $TENANT_ID, else local. Example: --tenant-id acme", valueName: "id"))
    var tenantID: String?

    @Option(
        name: .customLong("device-id-prefix"),
        help: ArgumentHelp(
            "Each check plays the device <prefix><random UUID>, new on every run. Example: --device-id-prefix staging-kit-",
            valueName: "prefix"))
    var deviceIDPrefix = "conformance-"

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp("PEM CA certificates to trust for wss:// and https://. Default: $CLOUD_CA_FILE, else the system trust store.", valueName: "path"))
    var caFile: String?

    @Flag(name: .customLong("insecure"), help: "Skip TLS certificate verification (also CLOUD_TLS_INSECURE=1). Warned about; never for production.")
    var insecure = false

    @Option(
        name: .customLong("timeout"),
        help: ArgumentHelp(
            "How long each check waits for each answer it expects (token, upgrade, connect_ack, ack, heartbeat_ack, close). Example: --timeout 10s",
            valueName: "duration"))
    var timeout = "5s"

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp(
            "Run only these checks: ids or groups, comma-separated or repeated (groups: handshake, R5, R4, R6, R9, R15). Example: --only R5,R6,handshake.token",
            valueName: "names"))
    var only: [String] = []

    @Flag(name: .customLong("list"), help: "List the checks (id, rule, what is checked) and exit; needs no cloud.")
    var list = false

    @Flag(help: "Print one JSON document on stdout instead of the table (shape in docs/cli.md).")
    var json = false

    func validate() throws {
        guard let milliseconds = DurationText.parseMilliseconds(timeout), milliseconds > 0 else {
            throw ValidationError("--timeout must be a positive duration such as 5s, 2500ms or 1m, not \"\(timeout)\"")
        }
        if let problem = IdentifierRules.problem(with: deviceIDPrefix + UUID().uuidString) {
            throw ValidationError("--device-id-prefix with a UUID after it \(problem); use a short printable ASCII prefix")
        }
        do {
            _ = try selected()
        } catch {
            throw ValidationError("--only: \(error)")
        }
    }

    func selected() throws(UnknownCheck) -> [ConformanceCheck] {
        let names = only.flatMap { $0.split(separator: ",").map(String.init) }
        return names.isEmpty ? ConformanceCatalog.all : try ConformanceCatalog.select(names)
    }

    func run() async throws {
        let checks = try selected()
        if list {
            ConformanceOutput.list(checks, json: json)
            return
        }
        let configuration = try conformanceConfiguration(environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "cloud-connector.conformance")
        if configuration.tls.allowInsecure {
            logger.warning("TLS certificate verification is OFF (--insecure or CLOUD_TLS_INSECURE=1): anyone in the path could be the cloud this checks")
        }
        let output = ConformanceOutput(configuration: configuration, checks: checks, json: json)
        output.header()
        let runner = ConformanceRunner(configuration: configuration, logger: logger)
        let results: [CheckResult]
        do {
            results = try await runner.run(checks) { output.row($0) }
        } catch {
            throw CLIFailure(.software, "the WebSocket event loop could not start: \(error). Please report it.")
        }
        output.summary(results)
        if results.contains(where: { $0.outcome.isFailure }) {
            throw ExitCode(ExitStatus.differences.rawValue)
        }
    }

    /// Flags first, then the environment the connector itself reads; the API URL is derived from
    /// the WebSocket URL exactly as the connector derives it (PROTOCOL §3.1).
    func conformanceConfiguration(environment: [String: String]) throws -> ConformanceConfiguration {
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        guard let webSocketURL = value(url, "CLOUD_WS_URL") else {
            throw CLIFailure(.usage, "no cloud to check: give --url ws://host:port/path (or set CLOUD_WS_URL). `--list` shows the checks without one.")
        }
        var endpointEnvironment = ["CLOUD_WS_URL": webSocketURL]
        if let api = value(apiURL, "CLOUD_API_URL") { endpointEnvironment["CLOUD_API_URL"] = api }
        let endpoint: CloudEndpoint
        do {
            guard let parsed = try CloudEndpoint.parse(environment: endpointEnvironment) else {
                throw CLIFailure(.usage, "no cloud to check: give --url")
            }
            endpoint = parsed
        } catch let error as ConfigurationError {
            // The connector's texts name its variables and suggest running standalone; say which flag.
            let text = error.message
                .replacingOccurrences(of: "CLOUD_WS_URL", with: "--url (CLOUD_WS_URL)")
                .replacingOccurrences(of: "CLOUD_API_URL", with: "--api-url (CLOUD_API_URL)")
                .replacingOccurrences(of: " Fix it, or unset it to run standalone.", with: " Fix it.")
            throw CLIFailure(.configuration, text)
        }
        let tenant = value(tenantID, "TENANT_ID") ?? "local"
        if let problem = IdentifierRules.problem(with: tenant) {
            throw CLIFailure(.configuration, "--tenant-id (TENANT_ID) \(problem).")
        }
        let ca = value(caFile, "CLOUD_CA_FILE")
        if let ca, !FileManager.default.isReadableFile(atPath: ca) {
            throw CLIFailure(.configuration, "--ca-file (CLOUD_CA_FILE) names \(ca), which is not a readable file. Point it at a PEM file of CA certificates, or leave it out to use the system trust store.")
        }
        var insecure = self.insecure
        switch environment["CLOUD_TLS_INSECURE"]?.lowercased() {
        case nil, "", "0", "false", "no": break
        case "1", "true", "yes": insecure = true
        case let other?: throw CLIFailure(.configuration, "CLOUD_TLS_INSECURE must be 1 or 0, not \"\(other)\".")
        }
        return ConformanceConfiguration(
            endpoint: endpoint, apiKey: value(apiKey, "CLOUD_API_KEY").map(APIKey.init), tenantID: tenant,
            deviceIDPrefix: deviceIDPrefix, tls: TLSConfiguration(caFile: ca, allowInsecure: insecure),
            timeout: .milliseconds(DurationText.parseMilliseconds(timeout) ?? 5000))
    }
}
