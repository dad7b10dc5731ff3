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

    func recordHeartbeat(deviceID: String, atMS: Int64) {
        heartbeatTimes.withLock { $0[deviceID, default: []].append(atMS) }
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
