import CloudConnector
import Foundation
import Logging
import OutboxStore
import WebSocketTransport

struct DoctorOptions: Sendable {
    var flags: ConnectorConfiguration.Flags
    /// integrity_check without a time limit instead of a bounded quick_check.
    var full = false
    /// Try the WebSocket handshake too (opt-in: it may disturb the running service's session).
    var handshake = false
    /// No network at all.
    var offline = false
    var networkTimeout: Duration = .seconds(10)
    /// How long the default quick_check may take before it is reported unfinished.
    var integrityTimeLimit: Duration = .seconds(10)
}

/// `cloud-connector doctor`: runs the checks in order, each building on what the earlier ones
/// found (no store checks without a data directory, no token without a TCP connection), and
/// collects one or more findings per check. Reads only: nothing is created, migrated or locked.
struct Doctor {
    let options: DoctorOptions
    /// Quiet: what the checks learn goes into findings, not into log lines on stderr.
    let logger: Logger
    var findings: [DoctorFinding] = []

    // What later checks build on.
    let checked: ConnectorConfiguration.Checked
    /// LOG_LEVEL's text when it names no level (every other command refuses to start then).
    let badLogLevel: String?
    var configuration: ConnectorConfiguration? { checked.configuration }
    var dataDirectory: DataDirectory?
    /// The uid files must belong to: the data directory's owner, who runs the service (`run`
    /// creates the directory); this process's until the directory is seen.
    var serviceUID: uid_t = geteuid()
    var configFile: ConfigFile?
    var serviceRunning = false
    /// The pid the running service recorded in service.lock.
    var servicePID: Int32?
    var identity: DeviceIdentity?
    var storeExists = false
    var inspection: StoreInspection?
    var inspectionError: OutboxError?
    var cloudAddressReachable = false
    var tokenAnswer: TokenProbe.Answer?
    var tokenFailure: TransportError?

    init(environment: [String: String], options: DoctorOptions) {
        self.options = options
        var logger = Logger(label: "cloud-connector.doctor")
        logger.logLevel = .error
        self.logger = logger
        checked = ConnectorConfiguration.check(environment: environment, flags: options.flags)
        badLogLevel = environment["LOG_LEVEL"].flatMap { text in
            text.isEmpty || Logger.Level(rawValue: text.lowercased()) != nil ? nil : text
        }
    }

    mutating func run() async -> DoctorReport {
        checkSettings()
        checkTLSSettings()
        checkDataDirectory()
        checkConfigFile()
        checkFiles()
        checkService()
        inspectStore()
        checkIdentity()
        checkStore()
        checkIntegrity()
        checkBacklog()
        checkLink()
        checkQuarantine()
        checkDiskSpace()
        let loop = makeLoop()
        await checkLocalAPI(loop: loop)
        checkHandlers()
        await checkCloud(loop: loop)
        await loop?.shutdown(gracePeriod: .milliseconds(500))
        return DoctorReport(dataDirectory: checked.dataDirectory, findings: findings)
    }

    mutating func add(_ finding: DoctorFinding) { findings.append(finding) }

    /// The WebSocket and HTTP client for the cloud checks and the local API probe.
    func makeLoop() -> WebSocketEventLoop? {
        try? WebSocketEventLoop(name: "doctor", logger: logger)
    }
}
