import Foundation
import Logging
internal import ConnectorCore
import WebSocketTransport

/// One device WebSocket, from the `connect` frame to the close. Outbox messages are stored in
/// bursts: while one commit is in flight, newly arrived messages queue in `pending`, so a replay
/// costs one transaction and one ack per burst, and every ack follows its commit.
actor DeviceSession {
    let connection: WebSocketConnection
    let context: CloudContext
    let sessionID = UUID().uuidString.lowercased()
    private var logger: Logger
    private(set) var deviceID: String?
    private var tenantID = ""
    private var framesReceived = 0
    private var consecutiveBadFrames = 0
    private var pending: [InboundOutboxMessage] = []
    private var flushing = false
    private var lastAck: Int64 = 0
    /// The highest outbox seq received on this connection, to check R4's order.
    private var highestSeqReceived: Int64 = 0
    private var ended = false
    private var flushTask: Task<Void, Never>?
    /// Set once the socket is over and everything it delivered is stored (or failed).
    private var drained = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// A peer that sends this many bad frames in a row is closed with 4400 (PROTOCOL §1).
    static let badFrameLimit = 20
    static let outboxTypes: Set<String> = ["execution_event", "usage_report", "messaging_reply"]

    init(connection: WebSocketConnection, context: CloudContext) {
        self.connection = connection
        self.context = context
        var logger = context.logger
        logger[metadataKey: "session_id"] = .string(sessionID)
        logger[metadataKey: "peer"] = .string(connection.endpoint)
        self.logger = logger
    }

    /// Reads the connection to its end.
    func run() async {
        for await event in connection.events {
            switch event {
            case .opened, .pong: break
            case .text(let text): await receive(text)
            case .binary(let count): badFrame("binary frame of \(count) bytes")
            case .oversized(let count, _): badFrame("frame of \(count) bytes exceeds 1 MiB")
            case .closed(let closure):
                ended = true
                logger.info("device connection ended", metadata: ["closure": .string(closure.description)])
                if let deviceID { context.recordClosure(closure, deviceID: deviceID) }
            }
        }
        if let deviceID { context.unregister(self, deviceID: deviceID) }
        await flushTask?.value
        drained = true
        drainWaiters.forEach { $0.resume() }
        drainWaiters = []
    }

    // MARK: inbound

    private func receive(_ text: String) async {
        framesReceived += 1
        defer { applyDropFault() }
        guard let frame = try? JSON.parse(text), frame.objectValue != nil else {
            return badFrame("invalid JSON (\(text.utf8.count) bytes)")
        }
        guard let type = frame["type"]?.stringValue else { return badFrame("frame without a type") }
        consecutiveBadFrames = 0
        guard deviceID != nil else {
            if type == "connect" { return await handshake(frame["payload"] ?? .null) }
            return await refuse(code: "protocol_error", message: "the first frame must be connect", close: 4400)
        }
        switch type {
        case "heartbeat":
            if let deviceID {
                let payload = frame["payload"]
                context.recordHeartbeat(
                    deviceID: deviceID, atMS: nowMilliseconds(), lastSeq: payload?["last_seq"]?.numberValue?.int64,
                    pending: payload?["pending"]?.numberValue?.int64)
            }
            if context.faults.ignoreHeartbeats {
                logger.debug("fault: heartbeat not answered")
                return
            }
            send(CloudFrames.envelope(type: "heartbeat_ack", payload: ["ts": .string(RFC3339.format(milliseconds: nowMilliseconds()))]), priority: .high)
        case "pong": break
        case "connect": await refuse(code: "protocol_error", message: "connect sent twice", close: 4400)
        case _ where Self.outboxTypes.contains(type): accept(outbox: frame, type: type)
        default: logger.notice("unknown frame type ignored", metadata: ["type": .string(type)])
        }
    }

    /// R15: log and drop; a peer that keeps doing it is cut off with 4400.
    private func badFrame(_ why: String) {
        consecutiveBadFrames += 1
        logger.warning("malformed frame dropped", metadata: ["reason": .string(why), "in_a_row": .stringConvertible(consecutiveBadFrames)])
        if consecutiveBadFrames >= Self.badFrameLimit {
            logger.warning("closing a peer that keeps sending malformed frames")
            connection.close(code: WebSocketCloseCode(4400), reason: "too many malformed frames")
        }
    }

    private func applyDropFault() {
        guard let limit = context.faults.dropAfterFrames, framesReceived >= limit, !ended else { return }
        logger.notice("fault: dropping the connection", metadata: ["frames": .stringConvertible(framesReceived)])
        connection.abort()
    }

    // MARK: handshake

    private func handshake(_ payload: JSONValue) async {
        let device = payload["device_id"]?.stringValue ?? ""
        let tenant = payload["tenant_id"]?.stringValue ?? ""
        let token = payload["token"]?.stringValue ?? ""
        let headerDevice = connection.request?.headers["X-Device-Id"]
        guard let issued = context.tokens.valid(token, deviceID: device, nowMS: nowMilliseconds()),
            headerDevice == nil || headerDevice == device
        else {
            return await refuse(code: "unauthorized", message: "invalid or expired device token", close: 4401)
        }
        let boundTenant = context.configuration.deviceTenants[device] ?? issued.tenantID
        guard tenant == boundTenant, tenant == issued.tenantID else {
            return await refuse(code: "tenant_mismatch", message: "device \(device) does not belong to tenant \(tenant)", close: 4403)
        }
        guard payload["protocol"]?.numberValue?.int64 == 1 else {
            return await refuse(code: "protocol_unsupported", message: "only protocol 1 is supported", close: 4400)
        }
        deviceID = device
        tenantID = tenant
        logger[metadataKey: "device_id"] = .string(device)
        if let previous = context.register(self, deviceID: device) {
            // acked_seq must count what the old socket already delivered: otherwise the device
            // resends it and this cloud sees duplicates of messages it was about to store.
            await previous.supersede()
        }
        let acked: Int64
        do {
            acked = try await context.store.ackedSeq(deviceID: device)
        } catch {
            logger.error("cannot read acked_seq", metadata: ["error": .string("\(error)")])
            return connection.abort()
        }
        lastAck = acked
        let lastSeq = payload["resume"]?["last_seq"]?.numberValue?.int64 ?? 0
        context.recordResume(deviceID: device, lastSeq: payload["resume"]?["last_seq"]?.numberValue?.int64)
        logger.info("device connected", metadata: ["acked_seq": .stringConvertible(acked), "device_last_seq": .stringConvertible(lastSeq)])
        let announced = context.faults.announcedTenant ?? tenant
        send(CloudFrames.envelope(type: "connect_ack", payload: [
            "session_id": .string(sessionID), "acked_seq": .number(JSONNumber(acked)),
            "heartbeat_interval_ms": .number(JSONNumber(Int64(context.configuration.heartbeatIntervalMS))),
            "max_inflight": .number(JSONNumber(Int64(context.configuration.maxInflight))),
            "tenant_id": .string(announced),
        ]))
    }

    private func refuse(code: String, message: String, close: UInt16) async {
        logger.warning("refusing device", metadata: ["code": .string(code), "close": .stringConvertible(close)])
        send(CloudFrames.error(code: code, message: message))
        guard !context.faults.silent else { return }
        // close() discards queued frames: let the error reach the socket first, so the device
        // learns why before it sees the close code.
        await connection.waitForSendQueue(atMostBytes: 0)
        connection.close(code: WebSocketCloseCode(close), reason: code)
    }

    /// A newer connection for the same device replaced this one: close it and return once what it
    /// delivered is stored. A peer that never completes the close handshake is cut after 2 s.
    func supersede() async {
        logger.info("closing a superseded connection")
        connection.close(code: .normal, reason: "superseded by a newer connection")
        guard !drained else { return }
        let connection = self.connection
        let cut = Task {
            try? await Task.sleep(for: .seconds(2))
            if !Task.isCancelled { connection.abort() }
        }
        await withCheckedContinuation { drainWaiters.append($0) }
        cut.cancel()
    }

    // MARK: outbox

    private func accept(outbox frame: JSONValue, type: String) {
        guard let seq = frame["seq"]?.numberValue?.int64, seq >= 1,
            let id = frame["id"]?.stringValue, !id.isEmpty,
            let payload = frame["payload"], payload.objectValue != nil
        else {
            return badFrame("\(type) without a valid seq, id or payload")
        }
        if seq <= highestSeqReceived, let deviceID {
            // Stored and acked all the same (R6 makes it harmless); recorded for the tests.
            logger.warning(
                "outbox message out of seq order on this connection (R4)",
                metadata: ["seq": .stringConvertible(seq), "seq.after": .stringConvertible(highestSeqReceived)])
            context.recordOrderViolation(OrderViolation(sessionID: sessionID, seq: seq, after: highestSeqReceived), deviceID: deviceID)
        }
        highestSeqReceived = max(highestSeqReceived, seq)
        pending.append(InboundOutboxMessage(
            seq: seq, id: id, type: type, tenantID: tenantID, ts: frame["ts"]?.stringValue ?? "",
            payload: CloudFrames.text(payload),
            usage: type == "usage_report" ? .init(payload: payload) : .init()))
        if !flushing {
            flushing = true
            flushTask = Task { await flush() }
        }
    }

    /// Stores everything pending, burst by burst; each ack is sent only after its commit returned.
    private func flush() async {
        defer { flushing = false }
        while !pending.isEmpty, let deviceID {
            let batch = pending
            pending = []
            do {
                let result = try await context.store.store(deviceID: deviceID, batch, countResends: context.faults.countResends)
                if result.duplicates > 0 {
                    logger.info("duplicates acked again, not stored", metadata: ["count": .stringConvertible(result.duplicates)])
                }
                scheduleAck(result.ackedSeq)
            } catch {
                // Not stored means not acked: cut the link so the device resends.
                logger.error("storing messages failed", metadata: ["error": .string("\(error)")])
                connection.abort()
                pending = []
                return
            }
        }
    }

    private func scheduleAck(_ seq: Int64) {
        let faults = context.faults
        if faults.withholdAcks { return }
        if let delay = faults.ackDelay {
            Task {
                try? await Task.sleep(for: delay)
                sendAck(seq)
            }
        } else {
            sendAck(seq)
        }
    }

    /// Cumulative and monotonic (R5): a burst of duplicates repeats the current ack.
    private func sendAck(_ seq: Int64) {
        lastAck = max(lastAck, seq)
        send(CloudFrames.ack(seq: context.faults.ackUnreceived ? lastAck + 1 : lastAck))
    }

    // MARK: outbound

    /// Every frame goes through here so that the silent fault mode silences everything.
    func send(_ text: String, priority: SendPriority = .normal) {
        guard !context.faults.silent else { return }
        do {
            try connection.send(text: text, priority: priority)
        } catch {
            logger.debug("frame not sent", metadata: ["error": .string("\(error)")])
        }
    }

    func sendMalformed(_ frames: [MalformedFrame]) {
        for frame in frames {
            do {
                switch frame {
                case .invalidJSON: try connection.send(text: "{\"type\": \"ack\", \"payload\": {")
                case .missingType: try connection.send(text: #"{"id":"x","ts":"2026-01-01T00:00:00.000Z","payload":{}}"#)
                case .binary: try connection.sendRaw(.binary([0xde, 0xad, 0xbe, 0xef]))
                case .oversized: try connection.send(text: "\"" + String(repeating: "x", count: (1 << 20) + 16) + "\"")
                case .unknownType: try connection.send(text: CloudFrames.envelope(type: "future_feature", payload: ["x": 1]))
                }
            } catch {
                logger.debug("malformed frame not sent", metadata: ["error": .string("\(error)")])
            }
        }
    }

    func sendRawText(_ texts: [String]) {
        for text in texts { send(text) }
    }

    /// Closes the link (wipe, stop): the device reconnects and sees the new acked_seq.
    func close(code: UInt16, reason: String) {
        connection.close(code: WebSocketCloseCode(code), reason: reason)
    }
}
