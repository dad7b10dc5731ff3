import ConnectorCore
import Foundation
import ReferenceCloud
import Testing
import WebSocketTransport

/// Who may hold a session and for how long: one live socket per device, tokens that expire, one
/// `connect` per socket (§3.5), and the API key and refuse_tokens rules of `/device-token` (§3.1).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SessionRuleTests {
    /// A device that reconnects before the cloud noticed the old socket died must not leave two
    /// sessions: the newer one wins, the older one is closed, and commands go to the newer one.
    @Test func aSecondSocketForTheSameDeviceReplacesTheFirst() async throws {
        let harness = try await Harness.start()
        let (first, _) = try await harness.connect()
        let (second, ack) = try await harness.connect(lastSeq: 0)
        #expect(ack != nil)
        #expect(await first.closure()?.code?.rawValue == 1000)
        // The old session's end must not unregister the new one.
        try await Task.sleep(for: .milliseconds(100))
        #expect(await harness.cloud.isConnected(deviceID))
        try await harness.cloud.send(["type": "ping"], to: deviceID)
        #expect(await second.nextFrame()?.type == "ping")
        second.send(Frames.event(seq: 1))
        #expect(await second.next(type: "ack")?.int("payload", "seq") == 1)
        second.connection.close()
        await harness.finish()
    }

    @Test func anExpiredTokenIsRefused401AtTheUpgrade() async throws {
        let lifetime = Duration.seconds(1)
        let harness = try await Harness.start(tokenLifetime: lifetime)
        let issued = ContinuousClock.now
        let token = try await harness.token()
        // Control: while fresh, the same token upgrades.
        #expect(await harness.upgradeRefusal(token: token) == nil)
        try #require(ContinuousClock.now - issued < lifetime, "the control took longer than the token lives")
        try await Task.sleep(until: issued + lifetime + .milliseconds(300))
        #expect(await harness.upgradeRefusal(token: token) == 401)
        await harness.finish()
    }

    /// A token that was valid at the upgrade but expired before `connect` is `unauthorized` + 4401,
    /// which tells the device to fetch a new token (§3.4).
    @Test func aTokenExpiredByConnectTimeIsUnauthorized4401() async throws {
        let lifetime = Duration.milliseconds(1500)
        let harness = try await Harness.start(tokenLifetime: lifetime)
        let issued = ContinuousClock.now
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        try #require(ContinuousClock.now - issued < lifetime, "the upgrade itself took longer than the token lives")
        try await Task.sleep(until: issued + lifetime + .milliseconds(500))
        peer.send(Frames.connect(token: token))
        let error = await peer.nextFrame()
        #expect(error?.type == "error")
        #expect(error?["payload"]?["code"] == "unauthorized")
        #expect(await peer.closure()?.code?.rawValue == 4401)
        await harness.finish()
    }

    @Test func aSecondConnectOnOneSocketIsAProtocolError() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.send(Frames.connect(token: token))
        #expect(await peer.nextFrame()?.type == "connect_ack")
        peer.send(Frames.connect(token: token))
        let error = await peer.nextFrame()
        #expect(error?.type == "error")
        #expect(error?["payload"]?["code"] == "protocol_error")
        #expect(await peer.closure()?.code?.rawValue == 4400)
        #expect(await eventually { await !harness.cloud.isConnected(deviceID) })
        await harness.finish()
    }

    /// refuse_tokens answers 401 to everyone, with or without a key, but a token issued before still
    /// opens a socket: only the token endpoint is refused.
    @Test func refuseTokensIs401ForEveryone() async throws {
        let harness = try await Harness.start(apiKeys: ["k1"])
        let issued = try await harness.tokenResponse(apiKey: "k1")
        let token = try JSON.parse(issued.bodyText)["token"]?.stringValue ?? ""
        try await harness.cloud.setFaults(CloudFaults(refuseTokens: true))
        for key in [nil, "k1", "wrong"] {
            let response = try await harness.tokenResponse(apiKey: key)
            #expect(response.status == 401)
            #expect(try JSON.parse(response.bodyText)["code"] == "unauthorized")
        }
        #expect(await harness.upgradeRefusal(token: token) == nil)
        await harness.finish()
    }

    @Test func anAPIKeyIsRequiredWhenConfigured() async throws {
        let harness = try await Harness.start(apiKeys: ["k1", "k2"])
        for key in [nil, "wrong", "K1", "k1k2", ""] {
            #expect(try await harness.tokenResponse(apiKey: key).status == 401, "key \(String(describing: key))")
        }
        // Another scheme with the right key is not a bearer key.
        var headers: HTTPHeaders = ["X-Device-Id": deviceID, "X-Tenant-Id": tenantID, "Authorization": "Basic k1"]
        let basic = try await harness.loop.send(HTTPClientRequest(url: await harness.cloud.apiURL + "/device-token", headers: headers))
        #expect(basic.status == 401)
        #expect(!basic.bodyText.contains("k1"), "the answer must not echo the key")
        for key in ["k1", "k2"] {
            #expect(try await harness.tokenResponse(apiKey: key).status == 200)
        }
        // With the right key but without the device headers: a 400 that names them.
        headers = ["Authorization": "Bearer k1"]
        let noHeaders = try await harness.loop.send(HTTPClientRequest(url: await harness.cloud.apiURL + "/device-token", headers: headers))
        #expect(noHeaders.status == 400)
        #expect(try JSON.parse(noHeaders.bodyText)["message"]?.stringValue?.contains("X-Device-Id") == true)
        await harness.finish()
    }
}
