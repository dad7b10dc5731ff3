import CloudConnector
import ConnectorCore
import Executors
import Foundation
import Logging
import OutboxStore
import ReferenceCloud
import ServiceLifecycle

/// The connector with its work: link + TransportHandler over the real command executor, in one
/// ServiceGroup as `cloud-connector run` builds it.
enum WorkHarness {
    static func start(
        _ settings: LinkSettings, store: OutboxStore, handlers: String, concurrency: Int = 4,
        reloader: (@Sendable (Logger) -> CapabilityReloader)? = nil
    ) -> RunningConnector {
        let logger = testLogger("work")
        let transport = TransportHandler(
            store: store, executor: CommandExecutor(handlersDirectory: handlers, terminationGrace: .milliseconds(300)),
            deviceID: testDevice, tenantID: testTenant, concurrencyLimit: concurrency, logger: logger)
        let (inbound, sink) = AsyncStream.makeStream(of: InboundFrame.self)
        let link = ConnectorService(settings: settings, store: store, logger: logger) { sink.yield($0) }
        let work = ExecutionService(transport: transport, reloader: reloader?(logger), inbound: inbound, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: link), .init(service: work)], logger: testLogger("group")))
        return RunningConnector(group: group, task: Task { try await group.run() })
    }

    /// Writes an executable `#!/bin/sh` handler (mode 0700, as the executor insists).
    static func handler(_ directory: String, _ kind: String, _ name: String, _ body: String) throws {
        let folder = directory + "/" + kind
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o700)
        chmod(directory, 0o700)
    }

    static func request(_ id: String, _ fields: JSONObject) -> JSONValue {
        var payload: JSONObject = ["request_id": .string(id), "inputs": [:]]
        for (key, value) in fields { payload[key] = value }
        return ["type": "execution_request", "payload": .object(payload)]
    }
}

/// What the cloud received for one request.
struct CloudView {
    let messages: [CloudMessage]

    func payloads(_ requestID: String) -> [(type: String, payload: JSONValue)] {
        messages.compactMap { message in
            guard let payload = try? JSON.parse(message.payload), payload["request_id"]?.stringValue == requestID else { return nil }
            return (message.type, payload)
        }
    }

    /// (seq, event_type) of each execution_event the cloud holds for the request, in seq order.
    func eventSeqs(_ requestID: String) -> [(seq: Int64, eventType: String)] {
        messages.compactMap { message in
            guard message.type == "execution_event", let payload = try? JSON.parse(message.payload),
                payload["request_id"]?.stringValue == requestID, let type = payload["event_type"]?.stringValue
            else { return nil }
            return (message.seq, type)
        }
    }

    func events(_ requestID: String) -> [JSONValue] {
        payloads(requestID).filter { $0.type == "execution_event" }.map(\.payload)
    }

    func eventTypes(_ requestID: String) -> [String] {
        events(requestID).compactMap { $0["event_type"]?.stringValue }
    }

    func terminals(_ requestID: String) -> [JSONValue] {
        payloads(requestID).filter {
            $0.type == "execution_event" && ["completed", "failed", "cancelled"].contains($0.payload["event_type"]?.stringValue ?? "")
        }.map(\.payload)
    }

    func usage(_ requestID: String) -> [JSONValue] {
        payloads(requestID).filter { $0.type == "usage_report" }.map(\.payload)
    }
}
