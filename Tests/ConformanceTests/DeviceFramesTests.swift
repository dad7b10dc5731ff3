@testable import Conformance
import ConnectorCore
import Testing

/// What the kit sends must be what a real device sends: payloads valid by §4 (checked with the
/// connector's own validators), resends byte for byte, the 1 MiB frame exactly 1 MiB.
struct DeviceFramesTests {
    @Test func outboxPayloadsAreValidByTheConnectorsOwnRules() throws {
        let event = DeviceFrames.event(seq: 1)
        _ = try OutboxPayload.validate(type: .executionEvent, payload: event.payload)
        let usage = DeviceFrames.usage(seq: 2, deviceID: "dev", tenantID: "acme")
        let fields = try OutboxPayload.validate(type: .usageReport, payload: usage.payload)
        guard case .usage(let numbers) = fields.detail else {
            Issue.record("not a usage report: \(fields)")
            return
        }
        let expected = DeviceFrames.usageNumbers(seq: 2)
        #expect(numbers.totalTokens == expected.totalTokens)
        #expect(numbers.costMicros == expected.costMicros)
        #expect(numbers.tenantID == "acme")
        _ = try OutboxPayload.validate(type: .executionEvent, payload: DeviceFrames.event(seq: 3, encodedBytes: 4096).payload)
    }

    @Test func envelopesCarrySeqIDAndTimestamp() throws {
        let message = DeviceFrames.event(seq: 7)
        let envelope = try JSON.parse(message.text)
        #expect(envelope["seq"]?.numberValue?.int64 == 7)
        #expect(envelope["id"]?.stringValue == message.id)
        #expect(envelope["ts"]?.stringValue.flatMap(RFC3339.parseMilliseconds) != nil)
        #expect(DeviceFrames.event(seq: 7).id != message.id, "every message gets its own id")
    }

    @Test func aMovedMessageKeepsEverythingButItsSeq() throws {
        let message = DeviceFrames.usage(seq: 2, deviceID: "dev", tenantID: "acme")
        let moved = message.moved(to: 5)
        #expect(moved.id == message.id)
        #expect(moved.payload == message.payload)
        #expect(moved.ts == message.ts)
        #expect(try JSON.parse(moved.text)["seq"]?.numberValue?.int64 == 5)
    }

    @Test(arguments: [InboundEnvelope.maxFrameBytes, InboundEnvelope.maxFrameBytes + 1, 2048])
    func paddedEventsAreExactlyTheSizeAskedFor(_ bytes: Int) throws {
        let message = DeviceFrames.event(seq: 1, encodedBytes: bytes)
        #expect(message.text.utf8.count == bytes)
        #expect(try JSON.parse(message.text)["seq"]?.numberValue?.int64 == 1)
    }

    @Test func unknownFieldsAreAddedToAValidEvent() throws {
        let envelope = try JSON.parse(DeviceFrames.eventWithUnknownFields(seq: 1))
        #expect(envelope["conformance_extra"] != nil)
        #expect(envelope["payload"]?["conformance_extra"] != nil)
        _ = try OutboxPayload.validate(type: .executionEvent, payload: envelope["payload"] ?? .null)
    }
}

struct CatalogTests {
    @Test func idsAreUniqueAndGroupedByRule() {
        let ids = ConformanceCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ConformanceCatalog.groups == ["handshake", "R5", "R4", "R6", "R9", "R15"])
        for check in ConformanceCatalog.all {
            #expect(!check.summary.isEmpty)
            #expect(!check.rule.isEmpty)
        }
    }

    @Test func selectionTakesIdsAndGroupsInCatalogOrder() throws {
        let picked = try ConformanceCatalog.select(["R9", "handshake.token", " R5 "]).map(\.id)
        #expect(picked == ["handshake.token", "R5.cumulative", "R5.durable", "R9.heartbeat"])
    }

    @Test func anUnknownNameListsWhatExists() {
        #expect(throws: UnknownCheck.self) { try ConformanceCatalog.select(["R5", "R7"]) }
        do {
            _ = try ConformanceCatalog.select(["R7"])
        } catch {
            #expect(error.description.contains("no check or group is called R7"))
            #expect(error.description.contains("R6.counted-once"))
        }
    }
}
