import Logging
import Synchronization
import WebSocketTransport

/// Everything a running cloud shares between its HTTP handler, upgrade filter and sessions.
/// The filter runs synchronously on the event-loop thread, so shared state is Mutex-guarded.
final class CloudContext: Sendable {
    let configuration: ReferenceCloudConfiguration
    let logger: Logger
    let store: CloudStore
    let tokens = TokenRegistry()
    private let faultState: Mutex<CloudFaults>
    private let sessions = Mutex<[String: DeviceSession]>([:])
    /// Per device, when each heartbeat arrived (cloud clock, ms): tests check a replay never starves them (R8).
    private let heartbeatTimes = Mutex<[String: [Int64]]>([:])
    /// Per device, what each `connect` (`resume.last_seq`) and `heartbeat` (`last_seq`, `pending`) said.
    private let deviceReports = Mutex<[String: DeviceReports]>([:])
    /// Per device, how each of its connections ended, oldest first: tests check close codes (§6).
    private let closureLog = Mutex<[String: [WebSocketClosure]]>([:])

    init(configuration: ReferenceCloudConfiguration, logger: Logger, store: CloudStore) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.faultState = Mutex(configuration.faults)
    }

    var faults: CloudFaults {
        get { faultState.withLock { $0 } }
        set { faultState.withLock { $0 = newValue } }
    }

    /// Makes `session` the device's live one; returns the one it replaces (to be closed).
    func register(_ session: DeviceSession, deviceID: String) -> DeviceSession? {
        sessions.withLock { all in
            let previous = all[deviceID]
            all[deviceID] = session
            return previous === session ? nil : previous
        }
    }

    func unregister(_ session: DeviceSession, deviceID: String) {
        sessions.withLock { all in
            if all[deviceID] === session { all[deviceID] = nil }
        }
    }

    func recordHeartbeat(deviceID: String, atMS: Int64, lastSeq: Int64?, pending: Int64?) {
        heartbeatTimes.withLock { $0[deviceID, default: []].append(atMS) }
        deviceReports.withLock { $0[deviceID, default: DeviceReports()].heartbeats.append(HeartbeatReport(lastSeq: lastSeq, pending: pending)) }
    }

    func recordResume(deviceID: String, lastSeq: Int64?) {
        deviceReports.withLock { $0[deviceID, default: DeviceReports()].resumeLastSeqs.append(lastSeq) }
    }

    func recordOrderViolation(_ violation: OrderViolation, deviceID: String) {
        deviceReports.withLock { $0[deviceID, default: DeviceReports()].orderViolations.append(violation) }
    }

    func reports(deviceID: String) -> DeviceReports {
        deviceReports.withLock { $0[deviceID] ?? DeviceReports() }
    }

    func heartbeats(deviceID: String) -> [Int64] {
        heartbeatTimes.withLock { $0[deviceID] ?? [] }
    }

    func recordClosure(_ closure: WebSocketClosure, deviceID: String) {
        closureLog.withLock { $0[deviceID, default: []].append(closure) }
    }

    func closures(deviceID: String) -> [WebSocketClosure] {
        closureLog.withLock { $0[deviceID] ?? [] }
    }

    func session(for deviceID: String) -> DeviceSession? {
        sessions.withLock { $0[deviceID] }
    }
}
