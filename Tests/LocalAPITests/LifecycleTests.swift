import ConnectorCore
import LocalAPI
import OutboxStore
import ServiceLifecycle
import Testing
import WebSocketTransport

/// Starting, stopping and restarting the server; what its logs hold.
@Suite struct LifecycleTests {
    @Test func runReturnsOnCancellationAndFreesThePort() async throws {
        let api = try await APIFixture.start()
        let run = Task { try await api.server.run() }
        #expect(try await api.send(.get, "/healthz").status == 200)
        run.cancel()
        try await run.value
        await #expect(throws: TransportError.self) {
            _ = try await api.client.send(HTTPClientRequest(url: api.baseURL + "/healthz", timeout: .seconds(2)))
        }
        await api.stop()
    }

    @Test func gracefulShutdownOfTheServiceGroupStopsTheServer() async throws {
        let api = try await APIFixture.start()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: api.server)], logger: quietLogger))
        let running = Task { try await group.run() }
        #expect(try await api.post("/v1/usage", Payloads.usage()).status == 201)
        await group.triggerGracefulShutdown()
        try await running.value
        await #expect(throws: TransportError.self) {
            _ = try await api.client.send(HTTPClientRequest(url: api.baseURL + "/healthz", timeout: .seconds(2)))
        }
        await api.stop()
    }

    @Test func tokenAndStoreSurviveARestart() async throws {
        let directory = TemporaryDirectory()
        let first = try await APIFixture.start(directory: directory)
        let header = first.token.authorizationHeaderValue
        #expect(try await first.post("/v1/usage", Payloads.usage(reportID: "rep-restart")).status == 201)
        await first.stop()

        let second = try await APIFixture.start(directory: directory)
        #expect(!second.token.created)
        let retry = try await second.post("/v1/usage", Payloads.usage(reportID: "rep-restart"), authorization: header)
        #expect(retry.status == 200)
        #expect(retry.json?["duplicate"] == true)
        #expect(try await second.post("/v1/events", Payloads.event(), authorization: header).status == 201)
        await second.stop()
    }

    @Test func logsCarrySeqAndRequestIDButNeverTheToken() async throws {
        try await withAPI { api in
            let secret = String(api.token.authorizationHeaderValue.dropFirst("Bearer ".count))
            let created = try await api.post("/v1/usage", Payloads.usage(requestID: "req-logged"))
            let wrong = try await api.post("/v1/usage", Payloads.usage(), authorization: "Bearer \(secret)x")
            let missing = try await api.post("/v1/usage", Payloads.usage(), authorization: "")
            let status = try await api.send(.get, "/v1/status")
            #expect([created.status, wrong.status, missing.status, status.status] == [201, 401, 401, 200])
            let entries = api.logs.all
            #expect(entries.contains { $0.metadata["request.id"] == "req-logged" && $0.metadata["seq"] == "1" })
            let refusals = entries.filter { $0.message.contains("local API request refused") }
            #expect(refusals.contains { $0.metadata["bearer"] == "wrong" })
            #expect(refusals.contains { $0.metadata["bearer"] == "missing" })
            for entry in entries { #expect(!entry.text.contains(secret), "\(entry.text)") }
        }
    }

    @Test func aTakenPortIsAClearError() async throws {
        try await withAPI { api in
            let error = await #expect(throws: LocalAPIError.self) {
                _ = try await LocalAPIServer.start(
                    configuration: LocalAPIConfiguration(port: api.server.port), store: api.store, token: api.token,
                    metrics: api.factory, logger: quietLogger)
            }
            #expect(String(describing: error).contains("\(api.server.port)"))
        }
    }
}
