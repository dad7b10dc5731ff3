import ConnectorCore
import Foundation
import ReferenceCloud
import Testing

/// Every cloud → device type the reference cloud emits, checked against GoldenFrames.shapes (the
/// §2 envelope and the §4 payload) and against the device's own decoder, so a frame the cloud emits
/// is one the connector reads as that type, not as an unknown or invalid frame.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GoldenCloudToDeviceTests {
    /// The type the device's decoder reads `frame` as; nil when it refuses it or calls it unknown.
    private func deviceReads(_ frame: JSONValue) -> String? {
        guard let decoded = try? InboundFrame.decode(String(decoding: JSON.encode(frame), as: UTF8.self)) else { return nil }
        if case .unknown = decoded { return nil }
        return decoded.type
    }

    private func check(_ frame: JSONValue?, _ type: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let frame else {
            Issue.record("no \(type) frame arrived", sourceLocation: sourceLocation)
            return
        }
        let shape = GoldenFrames.shapes[type] ?? Shape()
        #expect(envelopeProblems(frame, type: type, payload: shape) == [], sourceLocation: sourceLocation)
        #expect(deviceReads(frame) == type, "the device does not read it as \(type)", sourceLocation: sourceLocation)
    }

    /// Negative control: the checker itself must catch each kind of deviation, or the tests below
    /// could pass on anything.
    @Test func theShapeCheckerCatchesEachDeviation() throws {
        let good: JSONValue = ["type": "ack", "id": "5f0c8a1e-3b7d-4e0a-9c2f-000000000001", "ts": "2026-11-24T10:00:00.000Z", "payload": ["seq": 3]]
        let ack = try #require(GoldenFrames.shapes["ack"])
        #expect(envelopeProblems(good, type: "ack", payload: ack) == [])
        func with(_ key: String, _ value: JSONValue?) -> JSONValue {
            var object = good.objectValue ?? JSONObject()
            object[key] = value
            return .object(object)
        }
        for bad in [
            with("seq", 3), with("id", nil), with("id", "not-a-uuid"), with("ts", "2026-11-24T12:00:00.000+02:00"),
            with("ts", "yesterday"), with("type", "heartbeat_ack"), with("payload", ["seq": "3"]),
            with("payload", ["seq": 3, "extra": true]), with("payload", [:]), with("payload", nil),
        ] {
            #expect(envelopeProblems(bad, type: "ack", payload: ack) != [], "\(bad)")
        }
        let event = try #require(GoldenFrames.shapes["messaging_event"])
        let command = try JSON.parse(try #require(GoldenFrames.commands.first { $0.type == "messaging_event" }).body)
        var payload = try #require(command["payload"]?.objectValue)
        #expect(event.problems(in: .object(payload)) == [])
        payload["message"] = ["type": "text"]
        #expect(event.problems(in: .object(payload)) == ["payload.message.text is missing"])
    }

    @Test func connectAckAckHeartbeatAckAndErrorMatchTheirShapes() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.send(Frames.connect(token: token))
        let connectAck = await peer.nextFrame()
        check(connectAck, "connect_ack")
        // The reference cloud announces everything, though §3.4 lets a cloud leave some out.
        #expect(connectAck?.int("payload", "heartbeat_interval_ms") == 5000)
        #expect(connectAck?.int("payload", "max_inflight") == 64)
        #expect(connectAck?["payload"]?["tenant_id"]?.stringValue == tenantID)

        peer.send(Frames.event(seq: 1))
        check(await peer.nextFrame(), "ack")
        peer.send(Frames.heartbeat)
        check(await peer.nextFrame(), "heartbeat_ack")

        peer.send(Frames.connect(token: token))  // twice on one socket: §3.5
        let error = await peer.nextFrame()
        check(error, "error")
        #expect(error?["payload"]?["code"]?.stringValue == "protocol_error")
        #expect(await peer.closure()?.code?.rawValue == 4400)
        await harness.finish()
    }

    /// §3.4: each refusal is an `error` with its code, then the close code the protocol pairs with it.
    @Test(arguments: ["unauthorized", "tenant_mismatch", "protocol_unsupported"])
    func handshakeRefusalsMatchTheirShapeAndCloseCode(_ code: String) async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        switch code {
        case "unauthorized": peer.send(Frames.connect(token: "forged"))
        case "tenant_mismatch": peer.send(Frames.connect(tenant: "tenant-b", token: token))
        default: peer.send(Frames.connect(token: token, protocolVersion: 2))
        }
        let error = await peer.nextFrame()
        check(error, "error")
        #expect(error?["payload"]?["code"]?.stringValue == code)
        #expect(await peer.closure()?.code?.rawValue == GoldenFrames.handshakeErrorCodes[code])
        await harness.finish()
    }

    /// Commands reach the device with a fresh UUID id and a UTC ts, no seq, and exactly the payload given.
    @Test func everyGoldenCommandIsEmittedWithItsShapeAndPayload() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        var ids: Set<String> = []
        for command in GoldenFrames.commands {
            let response = try await harness.http(.post, "/admin/devices/\(deviceID)/send", body: command.body)
            #expect(response.status == 200, "\(command.type): \(response.bodyText)")
            let frame = await peer.nextFrame()
            check(frame, command.type)
            #expect(frame?["payload"] == (try JSON.parse(command.body))["payload"], "\(command.type) payload changed on the way")
            if let id = frame?["id"]?.stringValue { ids.insert(id) }
        }
        #expect(ids.count == GoldenFrames.commands.count, "message ids must be unique")
        #expect(Set(GoldenFrames.commands.map(\.type)).union(["connect_ack", "ack", "heartbeat_ack", "error"]) == Set(GoldenFrames.shapes.keys))
        peer.connection.close()
        await harness.finish()
    }
}
