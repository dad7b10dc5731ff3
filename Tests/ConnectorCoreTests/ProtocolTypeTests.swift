import ConnectorCore
import Testing

@Suite struct ProtocolTypeTests {
    @Test func messageTypeCodesAreFixed() {
        #expect(OutboxMessageType.executionEvent.code == 1)
        #expect(OutboxMessageType.usageReport.code == 2)
        #expect(OutboxMessageType.messagingReply.code == 3)
        for type in OutboxMessageType.allCases { #expect(OutboxMessageType(code: type.code) == type) }
        #expect(OutboxMessageType(code: 0) == nil)
        #expect(OutboxMessageType(code: 4) == nil)
        #expect(OutboxMessageType(rawValue: "usage_report") == .usageReport)
    }

    @Test func terminalEventTypes() {
        let terminal = ExecutionEventType.allCases.filter(\.isTerminal)
        #expect(terminal == [.completed, .failed, .cancelled])
    }

    @Test func payloadErrorDescription() {
        let error = PayloadError(path: "payload.metrics.duration_ms", reason: "must be a non-negative whole number")
        #expect(error.description == "payload.metrics.duration_ms: must be a non-negative whole number")
    }
}
