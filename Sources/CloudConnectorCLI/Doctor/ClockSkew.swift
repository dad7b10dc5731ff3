/// How far this device's clock is from the cloud's, from one HTTP answer: the cloud's `Date`
/// (whole seconds, rounded down) against the local wall clock halfway through the exchange.
/// Pure, so the thresholds are tested without a clock.
struct ClockSkew: Equatable {
    /// Above this the difference is worth a warning: event times and billing days start to drift.
    static let warningMS: Int64 = 2_000
    /// Above this it is a problem: token lifetimes and certificate validity are judged wrongly.
    static let problemMS: Int64 = 60_000

    /// How far this device's clock is ahead of the cloud's (negative: behind).
    let offsetMS: Int64
    /// How far the estimate may be off: half a second for the header's whole seconds, plus half the
    /// round trip (the cloud wrote the header somewhere within it).
    let uncertaintyMS: Int64

    /// `sentAtMS`: the local wall clock when the request left; `roundTripMS`: until the answer was in.
    static func measure(cloudDateMS: Int64, sentAtMS: Int64, roundTripMS: Int64) -> ClockSkew {
        let cloudMidpoint = cloudDateMS + 500
        let localMidpoint = sentAtMS + roundTripMS / 2
        return ClockSkew(offsetMS: localMidpoint - cloudMidpoint, uncertaintyMS: 500 + roundTripMS / 2)
    }

    /// The smallest difference the measurement proves.
    var provenMS: Int64 { max(abs(offsetMS) - uncertaintyMS, 0) }

    var status: DoctorFinding.Status {
        if provenMS > Self.problemMS { return .problem }
        if provenMS > Self.warningMS { return .warning }
        return .ok
    }
}
