import ArgumentParser
import Foundation
import Logging
import ReferenceCloud
import WebSocketTransport

/// Runs the cloud until SIGTERM/SIGINT. Prints its WebSocket URL as the first stdout line (then the
/// HTTP base URL) so a script can read where to point the connector.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Listen on 127.0.0.1 and serve devices until SIGTERM or SIGINT.",
        discussion: """
            stdout line 1: the WebSocket URL (CLOUD_WS_URL), line 2: the HTTP base URL (CLOUD_API_URL and
            the admin API: /admin/devices/{id}/counts|messages|send|malformed|wipe, /admin/faults).
            Logs go to stderr.

            --fault NAME breaks the cloud on purpose from the start (the admin API's POST /admin/faults \
            changes faults later). The last three are the broken modes the conformance kit must catch:
              withhold_acks      store messages but never ack them
              refuse_tokens      GET /device-token answers 401 to everyone
              silent             send nothing at all (no connect_ack, no acks, no heartbeat_ack)
              count_resends      R6 broken: a resent message is counted again (acked as usual)
              ack_unreceived     R5 broken: every ack is one seq above the highest held
              ignore_heartbeats  R9 broken: heartbeats are never answered

            Example:
              reference-cloud serve --data-dir /tmp/cloud --fault ack_unreceived
            """)

    @Option(help: "TCP port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("data-dir"), help: "Directory for cloud.sqlite; reusing it keeps what the cloud holds.")
    var dataDirectory: String

    @Option(name: .customLong("api-key"), help: "An API key accepted by GET /device-token (repeatable; none = any caller).")
    var apiKeys: [String] = []

    @Option(name: .customLong("heartbeat-ms"), help: "heartbeat_interval_ms announced in connect_ack.")
    var heartbeatMS: Int = 15_000

    @Option(name: .customLong("max-inflight"), help: "max_inflight announced in connect_ack.")
    var maxInflight: Int = 1000

    @Option(name: .customLong("token-lifetime"), help: "Seconds a device token stays valid.")
    var tokenLifetime: Int = 3600

    @Option(
        name: .customLong("tls-cert"),
        help: "PEM certificate (chain) to serve wss:// and https:// with; needs --tls-key. Without it: ws:// and http://.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp("Turn on a fault mode from the start (repeatable; see below).", valueName: "name"))
    var faultNames: [String] = []

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard heartbeatMS > 0, maxInflight > 0, tokenLifetime > 0 else {
            throw ValidationError("--heartbeat-ms, --max-inflight and --token-lifetime must be positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both to serve wss://, or neither")
        }
        _ = try faults()
    }

    func faults() throws -> CloudFaults {
        var faults = CloudFaults()
        for name in faultNames where !faults.switchOn(name) {
            throw ValidationError("unknown --fault \(name); known: \(CloudFaults.switchNames.joined(separator: ", "))")
        }
        return faults
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let cloud = ReferenceCloud(configuration: ReferenceCloudConfiguration(
            host: host, port: port, dataDirectory: dataDirectory, apiKeys: Set(apiKeys),
            tokenLifetime: .seconds(tokenLifetime), heartbeatIntervalMS: heartbeatMS, maxInflight: maxInflight,
            faults: try faults(), tls: tlsCertificate.map { TLSConfiguration(certificateFile: $0, privateKeyFile: tlsKey) }))
        try await cloud.start()
        if !faultNames.isEmpty {
            Logger(label: "reference-cloud").warning("fault modes on", metadata: ["faults": .string(faultNames.joined(separator: ","))])
        }
        let signals = Signals([SIGTERM, SIGINT])
        // Written unbuffered: a script reading the first line must not wait for a buffer to fill.
        let urls = "\(await cloud.webSocketURL)\n\(await cloud.apiURL)\n"
        FileHandle.standardOutput.write(Data(urls.utf8))
        let signal = await signals.next()
        Logger(label: "reference-cloud").info("stopping", metadata: ["signal": .stringConvertible(signal)])
        await cloud.stop()
    }
}
