import ConnectorCore
import Foundation
import Logging
import ReferenceCloud
import WebSocketTransport

let deviceID = "dev-1"
let tenantID = "tenant-a"

/// A started cloud on a fresh data directory, plus a client loop; both are stopped by `finish()`.
struct Harness {
    let cloud: ReferenceCloud
    let loop: WebSocketEventLoop
    let directory: String

    static func start(
        apiKeys: Set<String> = [], faults: CloudFaults = CloudFaults(), directory: String? = nil,
        deviceTenants: [String: String] = [:], allowedTenants: Set<String> = [],
        tokenLifetime: Duration = .seconds(3600)
    ) async throws -> Harness {
        let directory = directory ?? NSTemporaryDirectory() + "refcloud-" + UUID().uuidString
        let cloud = ReferenceCloud(configuration: ReferenceCloudConfiguration(
            dataDirectory: directory, apiKeys: apiKeys, tokenLifetime: tokenLifetime, heartbeatIntervalMS: 5000,
            maxInflight: 64, allowedTenants: allowedTenants, deviceTenants: deviceTenants, faults: faults))
        try await cloud.start()
        let loop = try WebSocketEventLoop(name: "rc-test", logger: Logger(label: "rc-test"))
        return Harness(cloud: cloud, loop: loop, directory: directory)
    }

    func finish() async {
        await loop.shutdown(gracePeriod: .milliseconds(200))
        await cloud.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func tokenResponse(device: String = deviceID, tenant: String = tenantID, apiKey: String? = nil) async throws -> HTTPClientResponse {
        var headers: HTTPHeaders = ["X-Device-Id": device, "X-Tenant-Id": tenant]
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        return try await loop.send(HTTPClientRequest(url: await cloud.apiURL + "/device-token", headers: headers))
    }

    func token(device: String = deviceID, tenant: String = tenantID) async throws -> String {
        let response = try await tokenResponse(device: device, tenant: tenant)
        return try JSON.parse(response.bodyText)["token"]?.stringValue ?? ""
    }

    func http(_ method: HTTPMethod, _ path: String, body: String = "") async throws -> HTTPClientResponse {
        try await loop.send(HTTPClientRequest(method: method, url: await cloud.apiURL + path, body: Array(body.utf8)))
    }

    /// An admin call whose answer must be JSON: the status and the parsed body (`.null` when not JSON).
    func admin(_ method: HTTPMethod, _ path: String, body: String = "") async throws -> (status: Int, body: JSONValue) {
        let response = try await http(method, path, body: body)
        return (response.status, (try? JSON.parse(response.bodyText)) ?? .null)
    }

    /// Opens the WebSocket with the headers a device sends.
    func open(device: String = deviceID, tenant: String = tenantID, token: String) async throws -> Peer {
        let connection = try await loop.connect(WebSocketClientConfiguration(
            url: await cloud.webSocketURL,
            headers: ["Authorization": "Bearer \(token)", "X-Device-Id": device, "X-Tenant-Id": tenant]))
        return Peer.start(connection)
    }

    /// The HTTP status with which the cloud refused the WebSocket upgrade, read from the transport's
    /// error ("… (HTTP 403)"); nil when the upgrade succeeded (that socket is closed again).
    func upgradeRefusal(device: String = deviceID, tenant: String = tenantID, token: String) async -> Int? {
        do {
            let peer = try await open(device: device, tenant: tenant, token: token)
            peer.connection.close()
            return nil
        } catch {
            let text = String(describing: error)
            guard let range = text.range(of: "(HTTP ") else { return -1 }
            return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? -1
        }
    }

    /// Token, socket, `connect`, and the `connect_ack` payload.
    func connect(device: String = deviceID, tenant: String = tenantID, lastSeq: Int64 = 0) async throws -> (Peer, JSONValue?) {
        let token = try await token(device: device, tenant: tenant)
        let peer = try await open(device: device, tenant: tenant, token: token)
        peer.send(Frames.connect(device: device, tenant: tenant, token: token, lastSeq: lastSeq))
        let ack = await peer.nextFrame()
        return (peer, ack?["type"]?.stringValue == "connect_ack" ? ack?["payload"] : nil)
    }
}

/// Polls `condition` every 20 ms for up to `timeout`: for state that settles asynchronously (a
/// session unregistering after its socket closed).
func eventually(within timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// What a test client sees on its socket.
enum Received: Equatable {
    case frame(JSONValue)
    case binary
    case oversized
    case closed(WebSocketClosure)
}

/// Records a client connection's events so tests can wait for them with a deadline.
final class Peer: Sendable {
    let connection: WebSocketConnection
    private let inbox = Inbox()

    private init(_ connection: WebSocketConnection) {
        self.connection = connection
    }

    /// A peer reading `connection` to its end from now on.
    static func start(_ connection: WebSocketConnection) -> Peer {
        let peer = Peer(connection)
        let inbox = peer.inbox
        Task {
            for await event in connection.events {
                switch event {
                case .text(let text): await inbox.append(.frame((try? JSON.parse(text)) ?? .string(text)))
                case .binary: await inbox.append(.binary)
                case .oversized: await inbox.append(.oversized)
                case .closed(let closure): await inbox.append(.closed(closure))
                case .opened, .pong: break
                }
            }
        }
        return peer
    }

    func send(_ frame: JSONValue) { try? connection.send(text: String(decoding: JSON.encode(frame), as: UTF8.self)) }
    func sendText(_ text: String) { try? connection.send(text: text) }

    func next(within timeout: Duration = .seconds(10)) async -> Received? { await inbox.next(within: timeout) }

    /// The next text frame, skipping nothing else: nil on close or timeout.
    func nextFrame(within timeout: Duration = .seconds(10)) async -> JSONValue? {
        if case .frame(let value) = await next(within: timeout) { return value }
        return nil
    }

    /// The next frame of `type`, skipping others.
    func next(type: String, within timeout: Duration = .seconds(10)) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch await next(within: deadline - ContinuousClock.now) {
            case .frame(let value) where value["type"]?.stringValue == type: return value
            case .closed, nil: return nil
            default: continue
            }
        }
        return nil
    }

    /// The close, skipping frames.
    func closure(within timeout: Duration = .seconds(10)) async -> WebSocketClosure? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch await next(within: deadline - ContinuousClock.now) {
            case .closed(let closure): return closure
            case nil: return nil
            default: continue
            }
        }
        return nil
    }
}

actor Inbox {
    private var items: [Received] = []

    func append(_ item: Received) { items.append(item) }

    func next(within timeout: Duration) async -> Received? {
        let deadline = ContinuousClock.now + timeout
        while items.isEmpty {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return items.removeFirst()
    }
}

enum Frames {
    static func connect(device: String = deviceID, tenant: String = tenantID, token: String, protocolVersion: Int64 = 1, lastSeq: Int64 = 0) -> JSONValue {
        [
            "type": "connect", "id": .string(UUID().uuidString), "ts": "2026-11-24T10:00:00.000Z",
            "payload": [
                "device_id": .string(device), "tenant_id": .string(tenant), "token": .string(token),
                "protocol": .number(JSONNumber(protocolVersion)), "agent": ["name": "test", "version": "0"],
                "resume": ["last_seq": .number(JSONNumber(lastSeq))],
            ],
        ]
    }

    static func event(seq: Int64, id: String? = nil) -> JSONValue {
        [
            "type": "execution_event", "id": .string(id ?? "msg-\(seq)"), "ts": "2026-11-24T10:00:00.000Z",
            "seq": .number(JSONNumber(seq)),
            "payload": [
                "event_id": .string("ev-\(seq)"), "request_id": "req-1", "event_type": "progress",
                "data": ["progress": .number(JSONNumber(literal: "0.5")!)], "timestamp": "2026-11-24T10:00:00.000Z",
            ],
        ]
    }

    static func usage(seq: Int64, tokens: Int64, cost: String) -> JSONValue {
        [
            "type": "usage_report", "id": .string("msg-\(seq)"), "ts": "2026-11-24T10:00:00.000Z",
            "seq": .number(JSONNumber(seq)),
            "payload": [
                "report_id": .string("rep-\(seq)"), "request_id": "req-1", "executor_device_id": .string(deviceID),
                "tenant_id": .string(tenantID),
                "metrics": [
                    "duration_ms": 10,
                    "token_usage": ["prompt_tokens": 1, "completion_tokens": .number(JSONNumber(tokens - 1)), "total_tokens": .number(JSONNumber(tokens))],
                    "cost_estimate": ["amount": .number(JSONNumber(literal: cost)!), "currency": "USD"],
                ],
                "timestamp": "2026-11-24T10:00:00.000Z",
            ],
        ]
    }

    static let heartbeat: JSONValue = [
        "type": "heartbeat", "id": "hb", "ts": "2026-11-24T10:00:00.000Z", "payload": ["last_seq": 0, "pending": 0],
    ]
}

extension JSONValue {
    var type: String? { self["type"]?.stringValue }
    func int(_ path: String...) -> Int64? {
        var value: JSONValue? = self
        for key in path { value = value?[key] }
        return value?.numberValue?.int64
    }
}
