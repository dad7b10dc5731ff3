/// R9 on the cloud side: every `heartbeat` gets a `heartbeat_ack`.
enum HeartbeatChecks {
    static let all = [heartbeat]
    static let beats = 3

    static let heartbeat = ConformanceCheck(
        "R9.heartbeat", rule: "R9",
        "3 heartbeats in a row, each answered with heartbeat_ack within the timeout"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let socket = try await probe.session().socket
        for beat in 1...beats {
            try socket.send(DeviceFrames.heartbeat(), what: "heartbeat \(beat)")
            let deadline = ContinuousClock.now + probe.timeout
            answered: while true {
                switch await socket.next(within: deadline - .now) {
                case .frame(.heartbeatAck)?:
                    break answered
                case .malformed(let type, let reason)? where type == "heartbeat_ack":
                    throw .fail("heartbeat \(beat) of \(beats) got a heartbeat_ack the connector cannot use: \(reason) (R9)")
                case .frame, .malformed:
                    continue
                case .closed(let closure)?:
                    throw .fail("heartbeat \(beat) of \(beats): the connection ended (\(closure)) instead of a heartbeat_ack (R9)")
                case nil:
                    throw .fail("heartbeat \(beat) of \(beats): no heartbeat_ack within \(probe.waitText); the cloud answers each heartbeat (R9), or a device declares it stale after 3 intervals")
                }
            }
        }
        return "\(beats) heartbeats, each answered with heartbeat_ack"
    }
}
