import Foundation
public import Logging
public import WebSocketTransport

/// Runs checks one after another, each as a device of its own on connections of its own, and
/// returns what each found. Checks are independent: one failing never stops the next.
public struct ConformanceRunner: Sendable {
    public let configuration: ConformanceConfiguration
    let logger: Logger

    public init(configuration: ConformanceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// `onResult` hears each result as soon as its check ended (for progress output).
    public func run(
        _ checks: [ConformanceCheck] = ConformanceCatalog.all, onResult: @Sendable (CheckResult) -> Void = { _ in }
    ) async throws(TransportError) -> [CheckResult] {
        // The kit provokes refusals and bad frames on purpose, and the transport warns about each
        // (a 401 at the upgrade, a close it did not ask for): noise in a report that already says
        // what happened. Its warnings show only when the logger was asked for info or more.
        var transportLogger = logger
        if transportLogger.logLevel > .info { transportLogger.logLevel = .error }
        let loop = try WebSocketEventLoop(name: "conformance", logger: transportLogger)
        var results: [CheckResult] = []
        for check in checks {
            let result = await run(check, on: loop)
            onResult(result)
            results.append(result)
        }
        await loop.shutdown(gracePeriod: .seconds(1))
        return results
    }

    private func run(_ check: ConformanceCheck, on loop: WebSocketEventLoop) async -> CheckResult {
        let deviceID = configuration.deviceIDPrefix + UUID().uuidString.lowercased()
        var logger = self.logger
        logger[metadataKey: "check"] = .string(check.id)
        logger[metadataKey: "device_id"] = .string(deviceID)
        logger.debug("check started")
        let probe = CheckProbe(configuration: configuration, loop: loop, deviceID: deviceID, logger: logger)
        let started = ContinuousClock.now
        let outcome: CheckOutcome
        do throws(CheckStop) {
            outcome = .pass(try await check.body(probe))
        } catch {
            outcome = error.outcome
        }
        probe.finish()
        let duration = ContinuousClock.now - started
        logger.info("check ended", metadata: ["result": .string(outcome.status)])
        return CheckResult(
            id: check.id, rule: check.rule, summary: check.summary, outcome: outcome, deviceID: deviceID, duration: duration)
    }
}
