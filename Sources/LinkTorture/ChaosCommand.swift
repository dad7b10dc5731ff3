import ArgumentParser
import FaultProxy
import Foundation

struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run the connector to the cloud through the fault proxy, with faults varied over time, under load.",
        discussion: """
            The connector reaches the cloud (token fetch and WebSocket) only through the fault proxy \
            (Sources/FaultProxy), which for SECONDS keeps breaking the link, one fault after another, each \
            healed before the next after a short healthy pause, over a link with 20 ms of latency each way: cuts (RST or FIN), refused connects, stalls \
            (both ways or one way; long ones outlast three heartbeats), a slow thin link, large latency, a \
            black hole for new connections, and half-open connections (the cloud's side or the device's side \
            vanishing without a FIN). The cloud announces a 1 s heartbeat, so the device must notice a silent link \
            within about 3 s (R9). Meanwhile the same load as the crash loop runs. Then the faults stop, the load \
            stops, and the same checks run once the backlog drained: every append that returned is held; \
            `outbox verify` passes; the cloud holds every message exactly once; every accepted request ended once.

            Examples:
              LinkTorture chaos 120
              LinkTorture chaos 25 --expect-failure-with skipResend
            """)

    /// One way, as between a device and a cloud region: 40 ms round trips.
    static let baseLatency: Duration = .milliseconds(20)

    @Argument(help: "How long the faults go on, in seconds.")
    var seconds = 60

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard seconds >= 1 else { throw ValidationError("SECONDS must be at least 1") }
    }

    func run() async throws {
        let seed = common.seed ?? UInt64.random(in: .min ... .max)
        var rig = try Rig.make(common, seed: seed, announcing: "chaos for \(seconds) s")
        var summary = Summary(mode: "chaos", seed: seed)
        summary.seconds = seconds
        summary.cloudCheck = "at the end, after the faults stopped and the backlog drained"
        var proxy: FaultProxy?
        do {
            try await rig.startCloud()
            let started = try FaultProxy(upstreamPort: rig.cloud.port)
            // A network's own delay, under every fault: frames spend a moment on the way, so a cut or a
            // vanished peer catches some in flight, and their resends are exercised.
            started.setLatency(Self.baseLatency, direction: .both)
            proxy = started
            rig.connector.cloudURL = "ws://127.0.0.1:\(started.port)/ws"
            try await rig.startConnector()
            try await waitForFirstSession(rig)
            let (stop, load) = rig.startLoad(cycle: 1)
            summary.faults = try await inflict(on: started, rig: &rig, seed: seed)
            stop.stop()
            await load.value
            await rig.collectLoadProblems()
            let stats = started.stats
            summary.proxyCuts = stats.cuts
            summary.proxyConnectionsHalfOpened = stats.connectionsHalfOpened
            rig.add(try rig.device.checkReturned(await rig.ledger.returned, cycle: 1))
            summary.slowestDrain = try await rig.drain(cycle: nil)
            try await rig.verify(cycle: nil)
            try await rig.checkDrained(cycle: nil, explainCounts: false)
            let counts = try await rig.finalCheck()
            summary.cloudMessages = counts.messages
            summary.cloudDuplicates = counts.duplicates
            if let status = try rig.device.linkStatus() {
                summary.sessions = status.sessions
                summary.connectAttempts = status.connectAttempts
            }
            summary.metricsReconnects = await reconnectsMetric(rig)
        } catch {
            rig.add([Violation(kind: .process, message: "\(error)")])
        }
        await rig.stopBoth()
        proxy?.stop()
        await fill(&summary, from: rig)
        let status = finish(&rig, &summary, options: common)
        if status != 0 { throw ExitCode(status) }
    }

    /// Faults hit a live link from the first one.
    private func waitForFirstSession(_ rig: Rig) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let status = try? rig.device.linkStatus(), status.sessions >= 1 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TortureError(description: "the connector did not reach the cloud through the proxy within 60 s; log: \(rig.connector.logPath)")
    }

    /// Applies the plan's faults until the time is up; each is healed before the next. Returns how
    /// many of each kind.
    private func inflict(on proxy: FaultProxy, rig: inout Rig, seed: UInt64) async throws -> [String: Int] {
        var plan = FaultPlan(seed: seed)
        var counts: [String: Int] = [:]
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        var nextReport = start + .seconds(10)
        while ContinuousClock.now < end, await rig.checkAlive() {
            let step = plan.next()
            counts[step.kind.rawValue, default: 0] += 1
            apply(step, to: proxy)
            try await Task.sleep(for: min(step.hold, max(end - .now, .zero)))
            heal(step, on: proxy)
            try await Task.sleep(for: min(step.pause, max(end - .now, .zero)))
            if ContinuousClock.now >= nextReport {
                nextReport = nextReport + .seconds(10)
                let sessions = (try? rig.device.linkStatus())?.sessions ?? 0
                let returned = await rig.ledger.returned.count
                say("chaos: \(Summary.seconds(.now - start)) of \(seconds) s, \(counts.values.reduce(0, +)) faults, \(sessions) sessions, \(returned) appends returned")
            }
        }
        return counts
    }

    private func apply(_ step: FaultPlan.Step, to proxy: FaultProxy) {
        switch step.kind {
        case .cutReset: proxy.cutAll(reset: true)
        case .cutFIN: proxy.cutAll(reset: false)
        case .refuse: proxy.cutAll(reset: true, refusingNewFor: step.hold)
        case .stall: proxy.stall(.both)
        case .stallUpstream: proxy.stall(.upstream)
        case .stallDownstream: proxy.stall(.downstream)
        case .slowLink:
            proxy.setBandwidth(bytesPerSecond: step.bytesPerSecond, direction: .both)
            proxy.setLatency(step.latency, direction: .both)
        case .latency: proxy.setLatency(step.latency, direction: .both)
        case .blackhole:
            proxy.setBlackhole(true)
            proxy.cutAll(reset: true)
        case .halfOpenCloudGone: proxy.halfOpen(vanished: .upstream)
        case .halfOpenDeviceGone: proxy.halfOpen(vanished: .client)
        }
    }

    private func heal(_ step: FaultPlan.Step, on proxy: FaultProxy) {
        switch step.kind {
        case .cutReset, .cutFIN, .refuse, .halfOpenCloudGone, .halfOpenDeviceGone: break
        case .stall: proxy.resume(.both)
        case .stallUpstream: proxy.resume(.upstream)
        case .stallDownstream: proxy.resume(.downstream)
        case .slowLink, .latency:
            proxy.setBandwidth(bytesPerSecond: nil, direction: .both)
            proxy.setLatency(Self.baseLatency, direction: .both)
        case .blackhole:
            // Connections accepted meanwhile stay swallowed until cut: let them go.
            proxy.setBlackhole(false)
            proxy.cutAll(reset: true)
        }
    }

    /// `cloud_connector_reconnects_total` from the connector's /metrics, as a monitor would see it.
    private func reconnectsMetric(_ rig: Rig) async -> String? {
        guard let response = try? await rig.http.call(.get, rig.connector.localAPI + "/metrics"), response.status == 200 else { return nil }
        return response.bodyText.split(separator: "\n").first { $0.hasPrefix("cloud_connector_reconnects_total ") }
            .map { String($0.split(separator: " ").last ?? "") }
    }
}
