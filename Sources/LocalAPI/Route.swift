import ConnectorCore
import OutboxStore
import WebSocketTransport

/// The local API's endpoints.
enum Route: String, Sendable, CaseIterable {
    case events = "/v1/events"
    case usage = "/v1/usage"
    case replies = "/v1/replies"
    case status = "/v1/status"
    case health = "/healthz"
    case metrics = "/metrics"

    var method: HTTPMethod {
        switch self {
        case .events, .usage, .replies: .post
        case .status, .health, .metrics: .get
        }
    }

    var messageType: OutboxMessageType? {
        switch self {
        case .events: .executionEvent
        case .usage: .usageReport
        case .replies: .messagingReply
        case .status, .health, .metrics: nil
        }
    }

    /// Writes need the token: without it any local user could bill usage or forge replies.
    ///
    /// Status needs it too: it names the device and tenant, and with a cloud that asks for no API key
    /// those two are all it takes to get a device token (PROTOCOL §3.1), so they are as private as
    /// the store they come from (0600). /healthz says nothing but "ok", for process supervisors that
    /// hold no token; /metrics carries only counts and seqs, and Prometheus scrapers are commonly
    /// configured without credentials.
    var requiresToken: Bool {
        switch self {
        case .events, .usage, .replies, .status: true
        case .health, .metrics: false
        }
    }

    /// The `route` label of the request metrics.
    var label: String {
        switch self {
        case .events: "events"
        case .usage: "usage"
        case .replies: "replies"
        case .status: "status"
        case .health: "healthz"
        case .metrics: "metrics"
        }
    }
}
