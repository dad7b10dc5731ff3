import ConnectorCore
import Testing

/// R9: a heartbeat every interval; stale after 3 intervals without any frame; any frame resets.
@Suite struct HeartbeatMonitorTests {
    @Test func idleMonitorDoesNothing() {
        var monitor = HeartbeatMonitor()
        #expect(!monitor.isRunning)
        #expect(monitor.nextDeadline == nil)
        monitor.frameReceived(at: at(5))
        #expect(monitor.tick(now: at(1000)) == .none)
        #expect(monitor.interval == .seconds(15))
    }

    @Test func heartbeatAtEachIntervalWhileFramesArrive() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(100), interval: .seconds(15))
        #expect(monitor.nextDeadline == at(115))
        var sent: [Double] = []
        // The cloud answers every heartbeat 0.2 s later; check every 0.1 s for 10 minutes.
        for step in 1000...7000 {
            let time = Double(step) / 10
            if monitor.tick(now: at(time)) == .sendHeartbeat {
                sent.append(time)
                monitor.frameReceived(at: at(time + 0.2))
            }
        }
        #expect(sent == stride(from: 115.0, through: 700, by: 15).map { $0 })
    }

    @Test(arguments: [1.0, 15.0, 20.0, 120.0])
    func staleExactlyAfterThreeSilentIntervals(interval: Double) {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: seconds(interval))
        #expect(monitor.tick(now: at(interval)) == .sendHeartbeat)
        #expect(monitor.tick(now: at(2 * interval)) == .sendHeartbeat)
        #expect(monitor.staleDeadline == at(3 * interval))
        #expect(monitor.nextDeadline == at(3 * interval))
        #expect(monitor.tick(now: MonotonicInstant(nanoseconds: at(3 * interval).nanoseconds - 1)) == .none)
        #expect(monitor.tick(now: at(3 * interval)) == .closeStale(silentFor: seconds(3 * interval)))
        #expect(!monitor.isRunning)
        #expect(monitor.tick(now: at(4 * interval)) == .none)
    }

    @Test(arguments: ["heartbeat_ack", "ack", "ping", "invalid"])
    func anyFrameResetsTheStaleClock(kind: String) {
        // The monitor does not care what the frame was; the kinds document that intent.
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: .seconds(15))
        #expect(monitor.tick(now: at(15)) == .sendHeartbeat)
        #expect(monitor.tick(now: at(30)) == .sendHeartbeat)
        monitor.frameReceived(at: at(40))
        #expect(monitor.staleDeadline == at(85), "\(kind)")
        #expect(monitor.tick(now: at(45)) == .sendHeartbeat)
        #expect(monitor.tick(now: at(84.999)) == .sendHeartbeat)  // due at 60 and 75: one for the late tick
        #expect(monitor.tick(now: at(85)) == .closeStale(silentFor: .seconds(45)))
    }

    @Test func framesNeverGoBackInTime() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(10), interval: .seconds(15))
        monitor.frameReceived(at: at(20))
        monitor.frameReceived(at: at(12))
        #expect(monitor.lastFrameAt == at(20))
    }

    @Test func lateTickSkipsMissedBeatsInsteadOfBursting() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: .seconds(15))
        monitor.frameReceived(at: at(39))
        #expect(monitor.tick(now: at(40)) == .sendHeartbeat)  // due at 15, very late
        #expect(monitor.nextHeartbeatAt == at(55))
        #expect(monitor.tick(now: at(41)) == .none)
    }

    @Test func slightlyLateTickKeepsTheCadence() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: .seconds(15))
        #expect(monitor.tick(now: at(15.3)) == .sendHeartbeat)
        #expect(monitor.nextHeartbeatAt == at(30))
    }

    @Test func staleWinsWhenBothAreDue() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: .seconds(15))
        #expect(monitor.tick(now: at(50)) == .closeStale(silentFor: .seconds(50)))
    }

    @Test func reconnectRestartsTheClocks() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(0), interval: .seconds(15))
        monitor.stop()
        #expect(monitor.nextDeadline == nil)
        monitor.connected(at: at(500), interval: .seconds(5))
        #expect(monitor.interval == .seconds(5))
        #expect(monitor.nextDeadline == at(505))
        #expect(monitor.staleDeadline == at(515))
    }

    @Test func tinyIntervalsAreRaisedToTheMinimum() {
        var monitor = HeartbeatMonitor(interval: .nanoseconds(1))
        #expect(monitor.interval == HeartbeatMonitor.minimumInterval)
        monitor.connected(at: at(0), interval: .zero)
        #expect(monitor.interval == .milliseconds(100))
        #expect(monitor.nextDeadline == at(0.1))
    }

    @Test func hugeIntervalsSaturateInsteadOfTrapping() {
        var monitor = HeartbeatMonitor()
        monitor.connected(at: at(1), interval: .seconds(Int64.max / 4))
        #expect(monitor.staleDeadline == MonotonicInstant(nanoseconds: .max))
        #expect(monitor.tick(now: at(1_000_000)) == .none)
    }
}
