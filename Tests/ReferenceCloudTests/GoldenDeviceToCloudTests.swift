import ConnectorCore
import Foundation
import ReferenceCloud
import Testing

/// Every device → cloud golden text of GoldenFrames.swift, sent byte for byte over a real socket: the
/// reference cloud must accept it, ack each outbox message with its own seq (R5), answer heartbeat
/// with heartbeat_ack (R9), ignore pong quietly, and store payloads exactly as sent.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GoldenDeviceToCloudTests {
    /// The goldens must also be frames a real connector can emit: its append-time validator (the
    /// device's reading of the same §4 table) accepts each payload. A typo in a golden fails here.
    @Test func goldenOutboxPayloadsPassTheDevicesOwnValidator() throws {
        for golden in GoldenFrames.outbox {
            let frame = try JSON.parse(golden.text)
            let type = try #require(OutboxMessageType(rawValue: golden.type))
            #expect(frame["type"]?.stringValue == golden.type)
            #expect(frame.int("seq") == golden.seq)
            do {
                _ = try OutboxPayload.validate(type: type, payload: frame["payload"] ?? .null)
            } catch {
                Issue.record("golden seq \(golden.seq) refused by the device validator: \(error)")
            }
        }
    }

    /// Coverage: a new outbox type or event type in ConnectorCore without a golden fails here.
    @Test func goldensCoverEveryOutboxTypeAndEventType() throws {
        let frames = try GoldenFrames.outbox.map { try JSON.parse($0.text) }
        #expect(Set(frames.compactMap(\.type)) == Set(OutboxMessageType.allCases.map(\.rawValue)))
        let eventTypes = frames.filter { $0.type == "execution_event" }.compactMap { $0["payload"]?["event_type"]?.stringValue }
        #expect(Set(eventTypes) == Set(ExecutionEventType.allCases.map(\.rawValue)))
        #expect(GoldenFrames.outbox.map(\.seq) == Array(1...Int64(GoldenFrames.outbox.count)))
    }

    @Test func theCloudAcceptsAcksAndStoresEveryGoldenFrame() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let peer = try await harness.open(token: token)
        peer.sendText(GoldenFrames.connect.replacingOccurrences(of: "{{TOKEN}}", with: token))
        let connectAck = try #require(await peer.nextFrame())
        #expect(connectAck.type == "connect_ack")
        #expect(connectAck.int("payload", "acked_seq") == 0)

        // One at a time, so each ack names exactly the seq just stored (not a later cumulative one).
        for golden in GoldenFrames.outbox {
            peer.sendText(golden.text)
            let ack = await peer.nextFrame()
            #expect(ack?.type == "ack", "seq \(golden.seq): \(String(describing: ack))")
            #expect(ack?.int("payload", "seq") == golden.seq)
        }

        peer.sendText(GoldenFrames.heartbeat)
        #expect(await peer.nextFrame()?.type == "heartbeat_ack")
        // pong gets no answer: the next frame after pong + heartbeat is the heartbeat_ack, not an error.
        peer.sendText(GoldenFrames.pong)
        peer.sendText(GoldenFrames.heartbeat)
        #expect(await peer.nextFrame()?.type == "heartbeat_ack")

        let (status, stored) = try await harness.admin(.get, "/admin/devices/\(deviceID)/messages")
        #expect(status == 200)
        let rows = stored.arrayValue ?? []
        #expect(rows.count == GoldenFrames.outbox.count)
        for (row, golden) in zip(rows, GoldenFrames.outbox) {
            let frame = try JSON.parse(golden.text)
            #expect(row.int("seq") == golden.seq)
            #expect(row["id"] == frame["id"])
            #expect(row["type"]?.stringValue == golden.type)
            #expect(row["payload"] == frame["payload"], "seq \(golden.seq) stored differently from what was sent")
        }

        // The usage golden's numbers, summed exactly (0.0042 USD = 4200 micros).
        let usage = try await harness.cloud.usage(deviceID: deviceID)
        #expect(usage.reports == 1)
        #expect([usage.promptTokens, usage.completionTokens, usage.totalTokens] == [100, 20, 120] as [Int64])
        #expect(usage.costMicros == 4200)
        let counts = try await harness.cloud.counts(deviceID: deviceID)
        #expect(counts.byType == ["execution_event": 6, "usage_report": 1, "messaging_reply": 1])
        #expect(counts.ackedSeq == 8)
        peer.connection.close()
        await harness.finish()
    }

    /// A resend of the same golden after a reconnect (same id, same seq) is acked, not stored again (R6, R7).
    @Test func aGoldenResentAfterReconnectIsAckedNotStoredTwice() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        let first = try await harness.open(token: token)
        first.sendText(GoldenFrames.connect.replacingOccurrences(of: "{{TOKEN}}", with: token))
        _ = await first.next(type: "connect_ack")
        first.sendText(GoldenFrames.outbox[0].text)
        #expect(await first.next(type: "ack")?.int("payload", "seq") == 1)
        first.connection.close()

        let second = try await harness.open(token: token)
        second.sendText(GoldenFrames.connect.replacingOccurrences(of: "{{TOKEN}}", with: token))
        #expect(await second.next(type: "connect_ack")?.int("payload", "acked_seq") == 1)
        second.sendText(GoldenFrames.outbox[0].text)
        #expect(await second.next(type: "ack")?.int("payload", "seq") == 1)
        let counts = try await harness.cloud.counts(deviceID: deviceID)
        #expect(counts.messages == 1)
        #expect(counts.duplicates == 1)
        second.connection.close()
        await harness.finish()
    }
}
