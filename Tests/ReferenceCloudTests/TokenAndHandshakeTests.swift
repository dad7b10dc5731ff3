import ConnectorCore
import Foundation
import ReferenceCloud
import Testing
import WebSocketTransport

/// PROTOCOL §3: the token endpoint, the upgrade check and each handshake refusal.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TokenAndHandshakeTests {
    @Test func tokenEndpointAnswers200_401_403() async throws {
        let harness = try await Harness.start(apiKeys: ["k1"])
        #expect(try await harness.tokenResponse().status == 401)
        #expect(try await harness.tokenResponse(apiKey: "wrong").status == 401)
        let ok = try await harness.tokenResponse(apiKey: "k1")
        #expect(ok.status == 200)
        let body = try JSON.parse(ok.bodyText)
        #expect((body["token"]?.stringValue?.count ?? 0) >= 32)
        #expect(body.int("expires_in") == 3600)
        try await harness.cloud.setFaults(CloudFaults(refusedDevices: [deviceID]))
        #expect(try await harness.tokenResponse(apiKey: "k1").status == 403)
        try await harness.cloud.setFaults(CloudFaults(refuseTokens: true))
        #expect(try await harness.tokenResponse(apiKey: "k1").status == 401)
        await harness.finish()
    }

    @Test("every HTTP answer, refusals too, carries an RFC 9110 Date close to now: devices read the cloud's clock from it")
    func answersCarryADate() async throws {
        let harness = try await Harness.start(apiKeys: ["k1"])
        for response in [try await harness.tokenResponse(apiKey: "k1"), try await harness.tokenResponse(), try await harness.http(.get, "/healthz")] {
            let date = try #require(response.headers["Date"], "status \(response.status) without a Date header")
            let instant = try #require(HTTPDate.parseMilliseconds(date), "\(date)")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(abs(now - instant) < 5_000, "\(date)")
        }
        await harness.finish()
    }

    @Test func upgradeWithoutAValidTokenIsRefused() async throws {
        let harness = try await Harness.start()
        await #expect(throws: TransportError.self) { _ = try await harness.open(token: "not-a-token") }
        await harness.finish()
    }

    @Test func happyHandshakeAnnouncesSettings() async throws {
        let harness = try await Harness.start()
        let (peer, ack) = try await harness.connect()
        let payload = try #require(ack)
        #expect(payload.int("acked_seq") == 0)
        #expect(payload.int("heartbeat_interval_ms") == 5000)
        #expect(payload.int("max_inflight") == 64)
        #expect(payload["tenant_id"]?.stringValue == tenantID)
        #expect(payload["session_id"]?.stringValue?.isEmpty == false)
        #expect(await harness.cloud.isConnected(deviceID))
        peer.connection.close()
        await harness.finish()
    }

    /// Opens a socket with a valid header token, sends `connect`, and returns the error code and close code.
    private func refusal(_ harness: Harness, _ frame: (String) -> JSONValue) async throws -> (String?, UInt16?) {
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.send(frame(token))
        let error = await peer.next(type: "error")
        let closure = await peer.closure()
        return (error?["payload"]?["code"]?.stringValue, closure?.code?.rawValue)
    }

    @Test func wrongTokenInConnectIsUnauthorized4401() async throws {
        let harness = try await Harness.start()
        let (code, close) = try await refusal(harness) { _ in Frames.connect(token: "forged") }
        #expect(code == "unauthorized")
        #expect(close == 4401)
        await harness.finish()
    }

    @Test func tenantMismatchIs4403() async throws {
        let harness = try await Harness.start()
        let (code, close) = try await refusal(harness) { Frames.connect(tenant: "tenant-b", token: $0) }
        #expect(code == "tenant_mismatch")
        #expect(close == 4403)
        await harness.finish()
    }

    @Test func unsupportedProtocolIs4400() async throws {
        let harness = try await Harness.start()
        let (code, close) = try await refusal(harness) { Frames.connect(token: $0, protocolVersion: 2) }
        #expect(code == "protocol_unsupported")
        #expect(close == 4400)
        await harness.finish()
    }

    @Test func aFrameBeforeConnectIsAProtocolError() async throws {
        let harness = try await Harness.start()
        let (code, close) = try await refusal(harness) { _ in Frames.heartbeat }
        #expect(code == "protocol_error")
        #expect(close == 4400)
        await harness.finish()
    }
}
