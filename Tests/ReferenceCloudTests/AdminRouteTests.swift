import ConnectorCore
import Foundation
import ReferenceCloud
import Testing
import WebSocketTransport

/// The admin HTTP API that shell scripts and other teams drive the cloud with: each route's status
/// and body, and a 4xx that says what is wrong for every kind of bad input.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AdminRouteTests {
    private func expectError(
        _ answer: (status: Int, body: JSONValue), _ status: Int, _ code: String, mentions: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(answer.status == status, sourceLocation: sourceLocation)
        #expect(answer.body["code"]?.stringValue == code, sourceLocation: sourceLocation)
        let message = answer.body["message"]?.stringValue ?? ""
        #expect(!message.isEmpty, "an error must say why", sourceLocation: sourceLocation)
        if let mentions { #expect(message.contains(mentions), "\(message)", sourceLocation: sourceLocation) }
    }

    @Test func healthzAndUnknownRoutes() async throws {
        let harness = try await Harness.start()
        let health = try await harness.http(.get, "/healthz")
        #expect(health.status == 200)
        #expect(health.bodyText == "ok\n")
        expectError(try await harness.admin(.get, "/nope"), 404, "not_found", mentions: "/nope")
        expectError(try await harness.admin(.post, "/healthz"), 404, "not_found", mentions: "POST")
        expectError(try await harness.admin(.put, "/admin/faults", body: "{}"), 404, "not_found", mentions: "PUT /admin/faults")
        expectError(try await harness.admin(.get, "/admin/devices/\(deviceID)/frobnicate"), 404, "not_found", mentions: "frobnicate")
        expectError(try await harness.admin(.get, "/admin/devices/\(deviceID)/send"), 404, "not_found", mentions: "GET send")
        expectError(try await harness.admin(.get, "/admin/devices/\(deviceID)"), 404, "not_found")
        await harness.finish()
    }

    @Test func countsAndMessagesReportWhatIsStored() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.send(Frames.event(seq: 1))
        peer.send(Frames.event(seq: 2))
        peer.send(Frames.usage(seq: 3, tokens: 10, cost: "0.0123"))
        while let ack = await peer.next(type: "ack"), ack.int("payload", "seq") != 3 {}
        peer.send(Frames.event(seq: 2))  // a duplicate: counted as such, not stored
        #expect(await peer.next(type: "ack")?.int("payload", "seq") == 3)

        let counts = try await harness.admin(.get, "/admin/devices/\(deviceID)/counts")
        #expect(counts.status == 200)
        let expected: JSONValue = [
            "device_id": .string(deviceID), "messages": 3, "duplicates": 1, "highest_seq": 3, "acked_seq": 3,
            "by_type": ["execution_event": 2, "usage_report": 1],
            "usage": ["reports": 1, "prompt_tokens": 1, "completion_tokens": 9, "total_tokens": 10, "cost_micros": 12300],
            "connected": true,
        ]
        #expect(counts.body == expected)

        let messages = try await harness.admin(.get, "/admin/devices/\(deviceID)/messages")
        #expect(messages.status == 200)
        let rows = messages.body.arrayValue ?? []
        #expect(rows.map { $0.int("seq") } == [1, 2, 3])
        #expect(rows.map { $0["type"]?.stringValue } == ["execution_event", "execution_event", "usage_report"])
        #expect(rows.map { $0["id"]?.stringValue } == ["msg-1", "msg-2", "msg-3"])
        #expect(rows.last?["payload"] == Frames.usage(seq: 3, tokens: 10, cost: "0.0123")["payload"])

        peer.connection.close()
        _ = await peer.closure()
        #expect(await eventually { try await harness.admin(.get, "/admin/devices/\(deviceID)/counts").body["connected"] == false })
        await harness.finish()
    }

    /// A device the cloud never heard from holds nothing: zeros and an empty list, not an error, so a
    /// script can poll counts before the device's first connect.
    @Test func anUnknownDeviceHoldsNothing() async throws {
        let harness = try await Harness.start()
        let counts = try await harness.admin(.get, "/admin/devices/nobody/counts")
        #expect(counts.status == 200)
        #expect(counts.body["messages"] == 0)
        #expect(counts.body["acked_seq"] == 0)
        #expect(counts.body["connected"] == false)
        #expect(counts.body["device_id"] == "nobody")
        let messages = try await harness.admin(.get, "/admin/devices/nobody/messages")
        #expect(messages.status == 200)
        #expect(messages.body == [])
        await harness.finish()
    }

    @Test func sendRefusesBadBodiesAndUnknownDevices() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        let path = "/admin/devices/\(deviceID)/send"
        expectError(try await harness.admin(.post, path, body: "{not json"), 400, "bad_request", mentions: "JSON")
        expectError(try await harness.admin(.post, path, body: #"{"payload":{}}"#), 400, "bad_request", mentions: "type")
        expectError(try await harness.admin(.post, path, body: "[1,2]"), 400, "bad_request", mentions: "object")
        expectError(try await harness.admin(.post, "/admin/devices/nobody/send", body: #"{"type":"ping"}"#), 409, "not_connected", mentions: "nobody")
        // None of the refused bodies reached the device.
        #expect(await peer.next(within: .milliseconds(300)) == nil)

        let sent = try await harness.admin(.post, path, body: #"{"type":"ping"}"#)
        #expect(sent.status == 200)
        #expect(sent.body == ["sent": true])
        let ping = await peer.nextFrame()
        #expect(ping?.type == "ping")
        #expect(ping?["payload"] == [:])  // added when the caller left it out
        peer.connection.close()
        await harness.finish()
    }

    @Test func malformedSendsExactlyTheKindsAskedFor() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        let path = "/admin/devices/\(deviceID)/malformed"
        let one = try await harness.admin(.post, path, body: #"["binary"]"#)
        #expect(one.status == 200)
        #expect(one.body == ["sent": 1])
        #expect(await peer.next() == .binary)
        #expect(await peer.next(within: .milliseconds(300)) == nil)

        // Refused: not JSON, not an array, an unknown kind. The message lists the known kinds.
        expectError(try await harness.admin(.post, path, body: "{oops"), 400, "bad_request", mentions: "invalid_json")
        expectError(try await harness.admin(.post, path, body: #"{"kind":"binary"}"#), 400, "bad_request", mentions: "unknown_type")
        expectError(try await harness.admin(.post, path, body: #"["binary","nope"]"#), 400, "bad_request", mentions: "oversized")
        #expect(await peer.next(within: .milliseconds(300)) == nil)
        expectError(try await harness.admin(.post, "/admin/devices/nobody/malformed"), 409, "not_connected")

        let all = try await harness.admin(.post, path)
        #expect(all.body == ["sent": .number(JSONNumber(Int64(MalformedFrame.allCases.count)))])
        peer.connection.close()
        await harness.finish()
    }

    @Test func wipeForgetsAndCloses() async throws {
        let harness = try await Harness.start()
        let (peer, _) = try await harness.connect()
        peer.send(Frames.event(seq: 1))
        _ = await peer.next(type: "ack")
        let wiped = try await harness.admin(.post, "/admin/devices/\(deviceID)/wipe")
        #expect(wiped.status == 200)
        #expect(wiped.body == ["wiped": true])
        #expect(await peer.closure()?.code?.rawValue == 1001)
        #expect(try await harness.admin(.get, "/admin/devices/\(deviceID)/messages").body == [])
        #expect(try await harness.admin(.get, "/admin/devices/\(deviceID)/counts").body["acked_seq"] == 0)
        await harness.finish()
    }

    @Test func faultsAreReadReplacedAndTakeEffect() async throws {
        let harness = try await Harness.start()
        let off: JSONValue = [
            "drop_after_frames": nil, "ack_delay_ms": nil, "withhold_acks": false, "refuse_tokens": false,
            "refused_devices": [], "silent": false, "announced_tenant": nil, "count_resends": false,
            "ack_unreceived": false, "ignore_heartbeats": false,
        ]
        let initial = try await harness.admin(.get, "/admin/faults")
        #expect(initial.status == 200)
        #expect(initial.body == off)

        let on = #"{"drop_after_frames": 7, "ack_delay_ms": 250, "withhold_acks": true, "refuse_tokens": true,"#
            + #" "refused_devices": ["d2", "d1"], "silent": false, "announced_tenant": "tenant-z","#
            + #" "count_resends": true, "ack_unreceived": true, "ignore_heartbeats": true}"#
        let replaced = try await harness.admin(.post, "/admin/faults", body: on)
        #expect(replaced.status == 200)
        #expect(replaced.body["refused_devices"] == ["d1", "d2"])
        #expect(try await harness.admin(.get, "/admin/faults").body == replaced.body)
        #expect(await harness.cloud.faults == CloudFaults(
            dropAfterFrames: 7, ackDelay: .milliseconds(250), withholdAcks: true, refuseTokens: true,
            refusedDevices: ["d1", "d2"], announcedTenant: "tenant-z", countResends: true, ackUnreceived: true,
            ignoreHeartbeats: true))
        #expect(try await harness.tokenResponse().status == 401)  // refuse_tokens is live

        // A body replaces everything: absent fields are off again.
        let cleared = try await harness.admin(.post, "/admin/faults", body: "{}")
        #expect(cleared.status == 200)
        #expect(cleared.body == off)
        #expect(try await harness.tokenResponse().status == 200)
        await harness.finish()
    }

    /// A misspelt or mistyped fault must not read as "off" with a 200: the test relying on it would
    /// pass for the wrong reason. Each is a 400 naming the key, and the faults in force stay as they were.
    @Test func badFaultBodiesAreRefusedAndChangeNothing() async throws {
        let harness = try await Harness.start(faults: CloudFaults(withholdAcks: true))
        let before = try await harness.admin(.get, "/admin/faults").body
        for (body, mentions) in [
            ("{not json", "JSON"), ("[]", "object"), (#"{"withold_acks": true}"#, "withold_acks"),
            (#"{"drop_after_frames": "3"}"#, "drop_after_frames"), (#"{"ack_delay_ms": -5}"#, "ack_delay_ms"),
            (#"{"ack_delay_ms": 1.5}"#, "ack_delay_ms"), (#"{"silent": "yes"}"#, "silent"),
            (#"{"refused_devices": "d1"}"#, "refused_devices"), (#"{"refused_devices": ["d1", 2]}"#, "refused_devices"),
            (#"{"announced_tenant": 5}"#, "announced_tenant"), (#"{"count_resends": 1}"#, "count_resends"),
            (#"{"ignore_heartbeat": true}"#, "ignore_heartbeat"),
        ] {
            expectError(try await harness.admin(.post, "/admin/faults", body: body), 400, "bad_request", mentions: mentions)
        }
        #expect(try await harness.admin(.get, "/admin/faults").body == before)
        #expect(await harness.cloud.faults == CloudFaults(withholdAcks: true))
        await harness.finish()
    }
}
