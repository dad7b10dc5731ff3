import ConnectorCore
/// The chaos run's faults, varied over time: a seeded draw of what to break next, how badly and for
/// how long. A value type with no I/O: `ChaosRun` applies each step to the proxy.
struct FaultPlan {
    enum Kind: String, CaseIterable, Sendable {
        /// Every connection closed with an RST.
        case cutReset = "cut_reset"
        /// Every connection closed with a FIN.
        case cutFIN = "cut_fin"
        /// A cut, then new connections refused for a while (the cloud's host unreachable).
        case refuse
        /// Nothing moves either way; long ones outlast 3 heartbeats and must be declared stale (R9).
        case stall
        case stallUpstream = "stall_upstream"
        case stallDownstream = "stall_downstream"
        /// A thin, slow pipe: a few KB/s with latency.
        case slowLink = "slow_link"
        /// Latency alone, large.
        case latency
        /// New connections accepted and swallowed (a TCP handshake that leads nowhere), after a cut.
        case blackhole
        /// The cloud's side vanished without a FIN or RST: only the device's heartbeat can tell (R9).
        case halfOpenCloudGone = "half_open_cloud_gone"
        /// The device's side vanished: the cloud keeps a stale session while the device reconnects.
        case halfOpenDeviceGone = "half_open_device_gone"

        var weight: Int {
            switch self {
            case .cutReset: 4
            case .cutFIN, .stall, .slowLink, .halfOpenCloudGone: 2
            case .refuse, .stallUpstream, .stallDownstream, .latency, .blackhole, .halfOpenDeviceGone: 1
            }
        }
    }

    struct Step: Sendable {
        var kind: Kind
        /// How long the fault stays before it is healed (for instant faults: how long to let the
        /// link recover before the next step may come).
        var hold: Duration
        var bytesPerSecond = 0
        var latency: Duration = .zero
        /// Healthy time after the heal, before the next fault.
        var pause: Duration
    }

    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> Step {
        let total = Kind.allCases.map(\.weight).reduce(0, +)
        var draw = Int.random(in: 0..<total, using: &random)
        var kind = Kind.cutReset
        for candidate in Kind.allCases {
            if draw < candidate.weight {
                kind = candidate
                break
            }
            draw -= candidate.weight
        }
        var step = Step(kind: kind, hold: .zero, pause: random.milliseconds(300...2_000))
        switch kind {
        case .cutReset, .cutFIN: step.hold = .zero
        case .refuse: step.hold = random.milliseconds(300...2_500)
        case .stall: step.hold = random.milliseconds(500...5_000)
        case .stallUpstream, .stallDownstream: step.hold = random.milliseconds(500...4_000)
        case .slowLink:
            step.hold = random.milliseconds(1_500...6_000)
            step.bytesPerSecond = Int.random(in: 4_000...64_000, using: &random)
            step.latency = random.milliseconds(10...150)
        case .latency:
            step.hold = random.milliseconds(1_500...5_000)
            step.latency = random.milliseconds(100...400)
        case .blackhole: step.hold = random.milliseconds(1_000...3_000)
        case .halfOpenCloudGone, .halfOpenDeviceGone: step.hold = random.milliseconds(3_000...5_000)
        }
        return step
    }
}
