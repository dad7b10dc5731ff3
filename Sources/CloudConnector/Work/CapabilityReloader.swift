public import ConnectorCore
import Foundation
public import Logging
public import Metrics
public import WebSocketTransport

/// `capability_reload`: runs the configured reload action — a command (given the pack and version
/// in its environment and as JSON on stdin) or an HTTP POST of `{"pack", "version"}` — and logs and
/// counts the result. It runs beside the link and the executions: a slow or failing action never
/// holds up a request or the link, and one reload runs at a time (a second waits for the first).
public actor CapabilityReloader {
    public enum Action: Sendable, Equatable {
        case command(String)
        case http(url: String)
    }

    let action: Action?
    let loop: WebSocketEventLoop
    let timeout: Duration
    let logger: Logger
    private let outcomes: (ok: Counter, failed: Counter)
    private var last: Task<Void, Never>?

    /// `metrics` receives `cloud_connector_capability_reloads_total{outcome}`; by default whatever
    /// the process bootstrapped (`run`: the local API's /metrics).
    public init(
        action: Action?, loop: WebSocketEventLoop, timeout: Duration = .seconds(120), logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.action = action
        self.loop = loop
        self.timeout = timeout
        self.logger = logger
        let label = "cloud_connector_capability_reloads_total"
        outcomes = (
            ok: Counter(label: label, dimensions: [("outcome", "ok")], factory: metrics),
            failed: Counter(label: label, dimensions: [("outcome", "failed")], factory: metrics)
        )
    }

    /// Starts the action and returns at once.
    public func reload(_ request: CapabilityReload) {
        guard let action else {
            logger.notice(
                "capability_reload received; no reload action is configured (config.json \"reload\")",
                metadata: ["pack": "\(request.pack ?? "-")", "version": "\(request.version ?? "-")"])
            return
        }
        let previous = last
        last = Task {
            await previous?.value
            let result = await Self.run(action, request, loop: loop, timeout: timeout)
            self.record(result, request)
        }
    }

    /// Waits for the reload under way, if any; for shutdown and tests.
    public func drain() async {
        await last?.value
    }

    private func record(_ result: Result<String, ReloadFailure>, _ request: CapabilityReload) {
        let metadata: Logger.Metadata = ["pack": "\(request.pack ?? "-")", "version": "\(request.version ?? "-")"]
        switch result {
        case .success(let detail):
            outcomes.ok.increment()
            logger.notice("capability reload done", metadata: metadata.merging(["detail": "\(detail)"]) { $1 })
        case .failure(let failure):
            outcomes.failed.increment()
            logger.error("capability reload failed", metadata: metadata.merging(["error": "\(failure.reason)"]) { $1 })
        }
    }

    struct ReloadFailure: Error {
        let reason: String
    }

    static func run(
        _ action: Action, _ request: CapabilityReload, loop: WebSocketEventLoop, timeout: Duration
    ) async -> Result<String, ReloadFailure> {
        var body: JSONObject = [:]
        if let pack = request.pack { body["pack"] = .string(pack) }
        if let version = request.version { body["version"] = .string(version) }
        let bytes = JSON.encode(.object(body))
        switch action {
        case .http(let url):
            do {
                let response = try await loop.send(HTTPClientRequest(
                    method: .post, url: url, headers: ["Content-Type": "application/json"], body: bytes, timeout: timeout))
                guard (200..<300).contains(response.status) else { return .failure(ReloadFailure(reason: "HTTP \(response.status)")) }
                return .success("HTTP \(response.status)")
            } catch {
                return .failure(ReloadFailure(reason: "\(error)"))
            }
        case .command(let path):
            return await runCommand(path, input: bytes, request: request, timeout: timeout)
        }
    }

    /// The command gets a clean environment (no tokens or keys) and is killed after `timeout`.
    static func runCommand(_ path: String, input: [UInt8], request: CapabilityReload, timeout: Duration) async -> Result<String, ReloadFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        if let pack = request.pack { environment["CAPABILITY_PACK"] = pack }
        if let version = request.version { environment["CAPABILITY_VERSION"] = version }
        process.environment = environment
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(ReloadFailure(reason: "cannot start \(path): \(error.localizedDescription)"))
        }
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
        try? stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                return .failure(ReloadFailure(reason: "\(path) did not finish within \(timeout)"))
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let status = process.terminationStatus
        return status == 0 ? .success("exit 0") : .failure(ReloadFailure(reason: "\(path) exited with status \(status)"))
    }
}
