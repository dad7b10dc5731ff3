import Logging
import WebSocketTransport

/// Admission of `/ws/agent` upgrades (the transport already answers 404 for any other path): an agent
/// reads every channel message of its workspaces, so it must hold the local token like any writer.
struct AgentUpgrade: Sendable {
    static let path = "/ws/agent"

    let token: LocalToken
    let logger: Logger

    /// Runs on the event loop thread: a constant-time compare and a log line, nothing that blocks.
    func decide(_ head: HTTPRequestHead) -> WebSocketUpgradeDecision {
        let authorization = head.headers["Authorization"]
        guard token.accepts(authorization: authorization) else {
            // Which of the two it was helps a person fix an agent; the value itself is never logged.
            logger.notice(
                "agent connection refused: bearer token missing or wrong",
                metadata: ["http.path": "\(head.path)", "bearer": "\(authorization == nil ? "missing" : "wrong")"])
            return .reject(status: 401)
        }
        return .accept
    }
}
