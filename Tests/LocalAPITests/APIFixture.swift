import ConnectorCore
import Foundation
import LocalAPI
import Logging
import OutboxStore
import SocketTestSupport
import WebSocketTransport

/// A real store in a temp folder, its token, a metrics factory of its own (never the global
/// bootstrap), the server on 127.0.0.1 with an OS-chosen port, and a client loop that speaks HTTP
/// to it.
final class APIFixture: Sendable {
    let directory: TemporaryDirectory
    let store: OutboxStore
    let token: LocalToken
    let factory: PrometheusMetricsFactory
    let server: LocalAPIServer
    let client: WebSocketEventLoop
    let logs: CapturedLog

    private init(
        directory: TemporaryDirectory, store: OutboxStore, token: LocalToken, factory: PrometheusMetricsFactory,
        server: LocalAPIServer, client: WebSocketEventLoop, logs: CapturedLog
    ) {
        self.directory = directory
        self.store = store
        self.token = token
        self.factory = factory
        self.server = server
        self.client = client
        self.logs = logs
    }

    static func start(
        directory: TemporaryDirectory = TemporaryDirectory(), configure: (inout OutboxOptions) -> Void = { _ in }
    ) async throws -> APIFixture {
        var options = OutboxOptions()
        configure(&options)
        let logs = CapturedLog()
        let store = try OutboxStore.open(
            directory: directory.path, identity: testIdentity, options: options, logger: quietLogger)
        let token = try LocalToken.loadOrCreate(directory: directory.path)
        let factory = PrometheusMetricsFactory(logger: logs.logger("test.local-api"))
        let server = try await LocalAPIServer.start(
            configuration: LocalAPIConfiguration(port: 0, shutdownGrace: .milliseconds(500)), store: store,
            token: token, metrics: factory, logger: logs.logger("test.local-api"))
        let client = try WebSocketEventLoop(name: "test-client", logger: quietLogger)
        return APIFixture(
            directory: directory, store: store, token: token, factory: factory, server: server, client: client, logs: logs)
    }

    func stop() async {
        await server.stop()
        await client.shutdown(gracePeriod: .zero)
        store.close()
    }

    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// `authorization` nil sends the right token; "" sends no Authorization header at all.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8] = [], authorization: String? = nil) async throws
        -> HTTPClientResponse
    {
        var headers: HTTPHeaders = [:]
        let value = authorization ?? token.authorizationHeaderValue
        if !value.isEmpty { headers.set(name: "Authorization", value: value) }
        if !body.isEmpty { headers.set(name: "Content-Type", value: "application/json") }
        return try await client.send(HTTPClientRequest(
            method: method, url: baseURL + path, headers: headers, body: body, timeout: .seconds(5),
            maxResponseBytes: 4 << 20, extraResponseHeaderNames: ["Retry-After", "Allow", "WWW-Authenticate"]))
    }

    func post(_ path: String, _ payload: JSONValue, authorization: String? = nil) async throws -> HTTPClientResponse {
        try await send(.post, path, body: JSON.encode(payload), authorization: authorization)
    }

    /// The highest seq the store ever assigned: unchanged means nothing was written.
    func lastSeq() throws -> Int64 {
        try store.makeReader().lastAssignedSeq()
    }

    func stored(seq: Int64) throws -> StoredMessage? {
        try store.makeReader().message(seq: seq)
    }

    func count(_ type: OutboxMessageType) throws -> Int {
        var filter = InspectFilter()
        filter.type = type
        filter.limit = 10_000
        return try store.makeReader().inspect(filter).count
    }
}

/// Runs `body` against a fresh fixture and stops it however `body` ends.
func withAPI(
    configure: (inout OutboxOptions) -> Void = { _ in }, _ body: (APIFixture) async throws -> Void
) async throws {
    let api = try await APIFixture.start(configure: configure)
    do {
        try await body(api)
    } catch {
        await api.stop()
        throw error
    }
    await api.stop()
}

let quietLogger: Logger = {
    var logger = Logger(label: "test.quiet")
    logger.logLevel = .critical
    return logger
}()

extension HTTPClientResponse {
    var json: JSONValue? { try? JSON.parse(body) }

    func int(_ key: String) -> Int64? { json?[key]?.numberValue?.int64 }
    func string(_ key: String) -> String? { json?[key]?.stringValue }
}
