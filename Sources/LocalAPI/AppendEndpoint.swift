import ConnectorCore
import Logging
import OutboxStore
import WebSocketTransport

/// `POST /v1/events`, `/v1/usage`, `/v1/replies`: the body is the PROTOCOL §4 payload; the store
/// validates it and appends it. The answer comes only after the append returned, which is after its
/// commit (R1), so a `201` always means the message survives a crash.
struct AppendEndpoint: Sendable {
    let store: OutboxStore
    let reads: StoreReads
    let replyLocks = KeyedLock()
    let metrics: LocalAPIMetrics
    let logger: Logger
    let retryAfterFull: Int
    let maxBodyBytes: Int

    func handle(_ type: OutboxMessageType, body: [UInt8]) async -> HTTPServerResponse {
        guard body.count <= maxBodyBytes else {
            metrics.append(type, outcome: "refused")
            logger.info(
                "local append refused: the body is too large",
                metadata: ["message.type": "\(type.rawValue)", "bytes": "\(body.count)"])
            return .apiError(
                413, "body_too_large",
                "the body is \(body.count) bytes, over the \(maxBodyBytes)-byte limit. Nothing was written; a message "
                    + "must stay under 1 MiB encoded (PROTOCOL.md R3).",
                details: [("bytes", .int(Int64(body.count))), ("limit", .int(Int64(maxBodyBytes)))])
        }
        let payload: JSONValue
        do {
            payload = try JSON.parse(body)
        } catch {
            metrics.append(type, outcome: "refused")
            logger.info(
                "local append refused: the body is not JSON",
                metadata: ["message.type": "\(type.rawValue)", "reason": "\(error.description)"])
            return .apiError(
                400, "invalid_json",
                "\(error.description). Nothing was written; the body must be one \(type.rawValue) payload as a JSON "
                    + "object (PROTOCOL.md §4).")
        }
        do {
            let result = try await append(type, payload)
            // Only now that the store accepted it is request_id known to be a well-formed identifier
            // worth putting in a log line.
            var metadata: Logger.Metadata = [
                "message.type": "\(type.rawValue)", "seq": "\(result.seq)", "message.id": "\(result.id)",
            ]
            if let requestID = payload["request_id"]?.stringValue { metadata["request.id"] = "\(requestID)" }
            metrics.append(type, outcome: result.duplicate ? "duplicate" : "created")
            // A stored message is routine (debug: Local-Core may report every progress step); a retry
            // means a caller lost an answer, which is worth seeing at the default level.
            if result.duplicate {
                logger.info("local append was a retry of a stored message; answered with the stored one", metadata: metadata)
            } else {
                logger.debug("local append stored", metadata: metadata)
            }
            var answer: [(String, JSONValue)] = [
                ("seq", .int(result.seq)), ("id", .string(result.id.description)), ("type", .string(type.rawValue)),
            ]
            if result.duplicate { answer.append(("duplicate", true)) }
            return .json(result.duplicate ? 200 : 201, .object(JSONObject(answer)))
        } catch let error as OutboxError {
            metrics.append(type, outcome: "refused")
            let metadata: Logger.Metadata = ["message.type": "\(type.rawValue)", "reason": "\(error.description)"]
            if AppendFailure.isClientError(error) {
                logger.info("local append refused", metadata: metadata)
            } else {
                logger.error("local append failed", metadata: metadata)
            }
            return AppendFailure.response(error, retryAfterFull: retryAfterFull)
        } catch {
            metrics.append(type, outcome: "refused")
            logger.error("local append failed", metadata: ["message.type": "\(type.rawValue)", "reason": "\(error)"])
            return .apiError(500, "internal_error", "the append failed: \(error)")
        }
    }

    private func append(_ type: OutboxMessageType, _ payload: JSONValue) async throws -> AppendResult {
        let draft = MessageDraft(type: type, payload: payload)
        guard type == .messagingReply, let requestID = payload["request_id"]?.stringValue else {
            return AppendResult(try await store.append(draft))
        }
        // Look and append under one lock per request_id, so two concurrent retries cannot both miss
        // each other's row and both append.
        let encoded = JSON.encode(payload)
        return try await replyLocks.withLock(requestID) {
            if let twin = try reads.read({ try ReplyTwin.find(in: $0, requestID: requestID, payload: encoded) }) {
                return twin
            }
            return AppendResult(try await store.append(draft))
        }
    }
}
