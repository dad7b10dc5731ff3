import CloudConnector
import ConnectorCore
import Foundation
import LocalAPI
import Synchronization
import Testing
import WebSocketTransport

extension LinkSuites {
    @Suite("capability_reload runs the configured action", .timeLimit(.minutes(1)))
    struct CapabilityReloadTests {
        @Test("a reload command gets pack and version, in its environment and on stdin, and nothing else")
        func command() async throws {
            let directory = NSTemporaryDirectory() + "reload-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let script = directory + "/reload"
            let out = directory + "/out"
            try "#!/bin/sh\necho \"$CAPABILITY_PACK $CAPABILITY_VERSION ${CLOUD_API_KEY:-no-key}\" > \(out)\ncat >> \(out)\n"
                .write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o700)
            setenv("CLOUD_API_KEY", "parent-secret", 1)
            defer { unsetenv("CLOUD_API_KEY") }
            let loop = try WebSocketEventLoop(name: "reload-test", logger: testLogger("reload"))
            let reloader = CapabilityReloader(action: .command(script), loop: loop, logger: testLogger("reload"))
            await reloader.reload(CapabilityReload(pack: "crm", version: "2.1"))
            await reloader.drain()
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.hasPrefix("crm 2.1 no-key\n"), "\(text)")
            #expect(text.contains(#""pack":"crm""#) && text.contains(#""version":"2.1""#), "\(text)")
            await loop.shutdown()
        }

        @Test("a reload URL gets a POST of pack and version")
        func http() async throws {
            let loop = try WebSocketEventLoop(name: "reload-http", logger: testLogger("reload"))
            let received = Mutex<[String]>([])
            let server = try await loop.startServer(WebSocketServerConfiguration(
                host: "127.0.0.1", port: 0, webSocketPath: nil,
                httpHandler: { request in
                    received.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
                    return HTTPServerResponse(status: 204)
                }))
            let reloader = CapabilityReloader(
                action: .http(url: "http://127.0.0.1:\(server.port)/reload"), loop: loop, logger: testLogger("reload"))
            await reloader.reload(CapabilityReload(pack: "crm", version: nil))
            await reloader.drain()
            #expect(received.withLock { $0 } == [#"{"pack":"crm"}"#])
            await loop.shutdown()
        }

        @Test("reloads from the cloud are counted by outcome, and a failing one leaves the link and the work alone")
        func countedAndHarmless() async throws {
            let harness = try await LinkHarness()
            let loop = try WebSocketEventLoop(name: "reload-e2e", logger: testLogger("reload"))
            let outcome = Mutex<[Int]>([204, 500])
            let server = try await loop.startServer(WebSocketServerConfiguration(
                host: "127.0.0.1", port: 0, webSocketPath: nil,
                httpHandler: { _ in HTTPServerResponse(status: outcome.withLock { $0.isEmpty ? 204 : $0.removeFirst() }) }))
            let metrics = PrometheusMetricsFactory(logger: testLogger("metrics"))
            let url = "http://127.0.0.1:\(server.port)/reload"
            let connector = WorkHarness.start(
                await harness.settings(), store: harness.store, handlers: harness.directory + "/handlers",
                reloader: { CapabilityReloader(action: .http(url: url), loop: loop, logger: $0, metrics: metrics) })
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            for version in ["1", "2"] {
                try await harness.cloud.send(["type": "capability_reload", "payload": ["pack": "crm", "version": .string(version)]], to: testDevice)
            }
            try await eventually("one reload ok, one failed") {
                let text = metrics.exposition()
                return text.contains(#"cloud_connector_capability_reloads_total{outcome="ok"} 1"#)
                    && text.contains(#"cloud_connector_capability_reloads_total{outcome="failed"} 1"#)
            }
            try await harness.append(count: 3)
            try await eventually("messages still flow") { try harness.backlog().ackedSeq == 3 }
            #expect(try harness.linkStatus()?.sessions == 1, "the failed reload must not touch the link")
            try await connector.stop()
            await loop.shutdown()
            await harness.finish()
        }
    }
}
