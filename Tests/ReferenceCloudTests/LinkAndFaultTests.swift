import ConnectorCore
import Foundation
import ReferenceCloud
import Testing
import WebSocketTransport

/// R9, R15, commands to the device, and the fault modes.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LinkAndFaultTests {
    @Test func heartbeatGetsHeartbeatAck() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.send(Frames.heartbeat)
        let ack = try #require(await peer.next(type: "heartbeat_ack"))
        #expect(ack["payload"]?["ts"]?.stringValue.flatMap(RFC3339.parseMilliseconds) != nil)
        peer.connection.close()
        await harness.finish()
    }

    @Test func malformedAndUnknownFramesAreDroppedAndTheLinkStaysUp() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.sendText("{not json")
        peer.sendText(#"{"id":"x","payload":{}}"#)
        try peer.connection.sendRaw(.binary([1, 2, 3]))
        peer.sendText(#"{"type":"from_the_future","id":"x","ts":"2026-11-24T10:00:00Z","payload":{}}"#)
        peer.send(Frames.heartbeat)
        #expect(await peer.next(type: "heartbeat_ack") != nil)
        peer.connection.close()
        await harness.finish()
    }

    @Test func aPeerThatKeepsSendingGarbageIsClosed4400() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        for _ in 0..<20 { peer.sendText("garbage") }
        #expect(await peer.closure()?.code?.rawValue == 4400)
        await harness.finish()
    }

    @Test func commandsReachTheDeviceFromTheAPIAndTheAdminEndpoint() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        try await harness.cloud.send(
            ["type": "execution_request", "payload": ["request_id": "r1", "job_type": "tool", "tool_name": "echo", "inputs": [:]]],
            to: deviceID)
        let request = try #require(await peer.next(type: "execution_request"))
        #expect(request["payload"]?["request_id"]?.stringValue == "r1")
        #expect(request["id"]?.stringValue != nil)
        let response = try await harness.http(.post, "/admin/devices/\(deviceID)/send", body: #"{"type":"capability_reload","payload":{"pack":"p"}}"#)
        #expect(response.status == 200)
        #expect(await peer.next(type: "capability_reload") != nil)
        #expect(try await harness.http(.post, "/admin/devices/nobody/send", body: #"{"type":"ping","payload":{}}"#).status == 409)
        let counts = try JSON.parse(try await harness.http(.get, "/admin/devices/\(deviceID)/counts").bodyText)
        #expect(counts["connected"]?.boolValue == true)
        peer.connection.close()
        await harness.finish()
    }

    @Test func dropAfterNFramesCutsTheConnection() async throws {
        let harness = try await Harness.start(faults: CloudFaults(dropAfterFrames: 3))
        let (peer, _) = try await harness.connect()
        peer.send(Frames.heartbeat)
        peer.send(Frames.heartbeat)
        let closure = await peer.closure()
        #expect(closure != nil)
        #expect(closure?.code == nil)
        await harness.finish()
    }

    @Test func withheldAcksStoreButNeverAck() async throws {
        let harness = try await Harness.start(faults: CloudFaults(withholdAcks: true))
        let (peer, _) = try await harness.connect()
        peer.send(Frames.event(seq: 1))
        #expect(await peer.next(type: "ack", within: .milliseconds(500)) == nil)
        #expect(try await harness.cloud.counts(deviceID: deviceID).messages == 1)
        peer.connection.close()
        await harness.finish()
    }

    @Test func delayedAcksArriveLate() async throws {
        let harness = try await Harness.start(faults: CloudFaults(ackDelay: .milliseconds(300)))
        let (peer, _) = try await harness.connect()
        let start = ContinuousClock.now
        peer.send(Frames.event(seq: 1))
        #expect(await peer.next(type: "ack") != nil)
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        peer.connection.close()
        await harness.finish()
    }

    @Test func aSilentCloudSendsNothing() async throws {
        let harness = try await Harness.start(faults: CloudFaults(silent: true))
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.send(Frames.connect(token: token))
        peer.send(Frames.heartbeat)
        #expect(await peer.next(within: .milliseconds(500)) == nil)
        peer.connection.close()
        await harness.finish()
    }

    /// The conformance kit's negative controls: each breaks exactly its rule and nothing else.
    @Test func countResendsCountsADuplicateAgainAndStillAcksIt() async throws {
        let harness = try await Harness.start(faults: CloudFaults(countResends: true))
        let (peer, _) = try await harness.connect()
        peer.send(Frames.usage(seq: 1, tokens: 10, cost: "0.01"))
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 1)
        peer.send(Frames.usage(seq: 1, tokens: 10, cost: "0.01"))
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 1, "still acked again")
        let counts = try await harness.cloud.counts(deviceID: deviceID)
        #expect(counts.messages == 2, "the resend counted as a new message")
        #expect(counts.duplicates == 0)
        #expect(try await harness.cloud.usage(deviceID: deviceID).totalTokens == 20, "and billed twice")
        peer.connection.close()
        await harness.finish()
    }

    @Test func ackUnreceivedAcksOneAboveWhatIsHeldButConnectAckStaysTruthful() async throws {
        let harness = try await Harness.start(faults: CloudFaults(ackUnreceived: true))
        let (peer, _) = try await harness.connect()
        peer.send(Frames.event(seq: 1))
        peer.send(Frames.event(seq: 2))
        #expect(await eventually { try await harness.cloud.counts(deviceID: deviceID).messages == 2 })
        var highest: Int64 = 0
        while highest < 3, let ack = await peer.next(type: "ack", within: .seconds(5)) { highest = ack.int("payload", "seq") ?? 0 }
        #expect(highest == 3, "one above the highest seq held")
        peer.connection.close()
        let (again, connectAck) = try await harness.connect(lastSeq: 2)
        #expect(connectAck?.int("acked_seq") == 2)
        again.connection.close()
        await harness.finish()
    }

    @Test func ignoreHeartbeatsLeavesHeartbeatsUnansweredAndAcksFlowing() async throws {
        let harness = try await Harness.start(faults: CloudFaults(ignoreHeartbeats: true))
        let (peer, _) = try await harness.connect()
        peer.send(Frames.heartbeat)
        peer.send(Frames.event(seq: 1))
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 1)
        #expect(await peer.next(type: "heartbeat_ack", within: .milliseconds(500)) == nil)
        #expect(try await harness.cloud.heartbeatTimes(deviceID: deviceID).count == 1, "received and recorded, only not answered")
        peer.connection.close()
        await harness.finish()
    }

    @Test func malformedFramesReachTheDevice() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        try await harness.cloud.sendMalformed(to: deviceID)
        var seen: [Received] = []
        while seen.count < MalformedFrame.allCases.count, let item = await peer.next() { seen.append(item) }
        #expect(seen.contains(.binary))
        #expect(seen.contains(.oversized))
        #expect(seen.count == MalformedFrame.allCases.count)
        peer.connection.close()
        await harness.finish()
    }

    @Test func wipeForgetsTheDeviceAndClosesItsLink() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.send(Frames.event(seq: 1))
        #expect(await peer.next(type: "ack") != nil)
        try await harness.cloud.wipe(deviceID: deviceID)
        #expect(await peer.closure()?.code?.rawValue == 1001)
        let (again, ack) = try await harness.connect(lastSeq: 1)
        #expect(ack?.int("acked_seq") == 0)
        again.connection.close()
        await harness.finish()
    }
}
