import ConnectorCore
import Logging
import OutboxStore
import WebSocketTransport

/// `GET /v1/status`: what "Runtime Environments" shows. Read from the store, the same source as
/// `cloud-connector status`: the link service records its state there, so this never disagrees
/// with the CLI.
struct StatusEndpoint: Sendable {
    let store: OutboxStore
    let reads: StoreReads
    let logger: Logger

    func handle() -> HTTPServerResponse {
        let backlog: Backlog
        let link: LinkStatusRecord?
        do {
            (backlog, link) = try reads.read { reader in (try reader.backlog(), try reader.linkStatus()) }
        } catch {
            logger.error("status: cannot read the store", metadata: ["reason": "\(error)"])
            return .apiError(500, "store_error", "cannot read the outbox: \(error)")
        }
        let now = store.options.clock.nowMilliseconds()
        return .json(200, Self.document(identity: store.identity, backlog: backlog, link: link, now: now))
    }

    static func document(identity: StoreIdentity, backlog: Backlog, link: LinkStatusRecord?, now: Int64) -> JSONValue {
        [
            "device_id": .string(identity.deviceID),
            "tenant_id": .string(identity.tenantID),
            "link": [
                // `standalone` comes from the row itself (no cloud configured, R14); no row at all means
                // no service has ever run on this store.
                "state": .string(link?.state ?? "never run"),
                "session_id": .text(link?.sessionID),
                "cloud_url": .text(link?.cloudURL),
                "last_error": .text(link?.lastError),
                "reconnects": .int(link.map { max($0.connectAttempts - 1, 0) }),
                "token_refusals": .int(link?.tokenRefusals),
                "updated_at": .time(link?.updatedAtMS),
            ],
            "outbox": [
                "last_seq": .int(backlog.lastSeq),
                "acked_seq": .int(backlog.ackedSeq),
                "pending": .int(backlog.pending),
                "oldest_pending_created_at": .time(backlog.oldestPendingCreatedAtMS),
                "oldest_pending_age_ms": .int(backlog.oldestPendingCreatedAtMS.map { max(now - $0, 0) }),
            ],
        ]
    }
}
