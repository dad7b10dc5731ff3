import Testing

@testable import WebSocketTransport

/// Pure pieces, no sockets.
@Suite struct UnitTests {
    private func feed(_ assembler: inout MessageAssembler, _ text: String, binary: Bool = false, final: Bool, announced: Int = 0)
        -> WebSocketEvent?
    {
        Array(text.utf8).withUnsafeBytes { assembler.consume($0, isBinary: binary, isFinal: final, announced: announced) }
    }

    @Test func assemblerJoinsChunksAndFragments() {
        var assembler = MessageAssembler(maxBytes: 16)
        #expect(feed(&assembler, "hel", final: false) == nil)
        #expect(feed(&assembler, "lo ", final: false) == nil)
        #expect(feed(&assembler, "you", final: true) == .text("hello you"))
        #expect(feed(&assembler, "", final: true) == .text(""))
    }

    @Test func assemblerDropsOversizedMessagesAndRecovers() {
        var assembler = MessageAssembler(maxBytes: 8)
        #expect(feed(&assembler, "12345678", final: true) == .text("12345678"))
        #expect(feed(&assembler, "12345", final: false) == nil)
        #expect(feed(&assembler, "6789", final: true) == .oversized(byteCount: 9, isBinary: false))
        // Announced frame length is enough to start dropping before anything is kept.
        #expect(feed(&assembler, "12", final: false, announced: 100) == nil)
        #expect(feed(&assembler, String(repeating: "x", count: 100), final: true) == .oversized(byteCount: 102, isBinary: false))
        #expect(feed(&assembler, "ok", final: true) == .text("ok"))
        #expect(feed(&assembler, "bin", binary: true, final: true) == .binary(byteCount: 3))
        #expect(feed(&assembler, "123456789", binary: true, final: true) == .oversized(byteCount: 9, isBinary: true))
    }

    private func message(_ text: String) -> OutgoingMessage {
        OutgoingMessage(kind: .text, fragments: [Array(text.utf8)])
    }

    private func payloads(_ queue: inout SendQueue) -> [String] {
        var result: [String] = []
        while let step = queue.nextStep() { result.append(String(decoding: step.frame.dropFirst(OutgoingMessage.headroom), as: UTF8.self)) }
        return result
    }

    @Test func sendQueuePutsHighPriorityFirstButNeverSplitsAFragmentedMessage() throws {
        var queue = SendQueue(limits: SendQueueLimits())
        try queue.enqueue(OutgoingMessage(kind: .text, fragments: [Array("a1".utf8), Array("a2".utf8)]), priority: .normal)
        try queue.enqueue(message("b"), priority: .normal)
        let step = queue.nextStep()
        let first = try #require(step)
        #expect(String(decoding: first.frame.dropFirst(OutgoingMessage.headroom), as: UTF8.self) == "a1")
        #expect(first.moreQueued)
        try queue.enqueue(message("hb"), priority: .high)
        #expect(payloads(&queue) == ["a2", "hb", "b"])
        #expect(queue.status == SendQueueStatus(messages: 0, bytes: 0))
    }

    @Test func sendQueueBoundsEachLaneAndCountsBytes() throws {
        var queue = SendQueue(limits: SendQueueLimits(maxMessages: 2, maxBytes: 10))
        try queue.enqueue(message("12345"), priority: .normal)
        try queue.enqueue(message("123"), priority: .normal)
        #expect(throws: WebSocketSendError.queueFull(queuedMessages: 2, queuedBytes: 8)) {
            try queue.enqueue(message("1"), priority: .normal)
        }
        try queue.enqueue(message("urgent"), priority: .high)
        #expect(queue.status == SendQueueStatus(messages: 3, bytes: 14))
        #expect(throws: WebSocketSendError.self) { try queue.enqueue(message("12345"), priority: .high) }
        #expect(payloads(&queue) == ["urgent", "12345", "123"])
    }

    @Test func endpointsParseAndHideTheQuery() throws {
        let endpoint = try Endpoint.parse("wss://cloud.example:8443/ws/device?token=secret", schemes: Endpoint.webSocketSchemes)
        #expect(endpoint.secure)
        #expect(endpoint.host == "cloud.example")
        #expect(endpoint.port == 8443)
        #expect(endpoint.pathAndQuery == "/ws/device?token=secret")
        #expect(endpoint.hostHeader == "cloud.example:8443")
        #expect(!endpoint.display.contains("secret"))
        let plain = try Endpoint.parse("http://127.0.0.1", schemes: Endpoint.httpSchemes)
        #expect(plain.port == 80 && plain.pathAndQuery == "/" && plain.hostHeader == "127.0.0.1")
        #expect(throws: TransportError.self) { try Endpoint.parse("ftp://x/", schemes: Endpoint.httpSchemes) }
        #expect(throws: TransportError.self) { try Endpoint.parse("ws:///nohost", schemes: Endpoint.webSocketSchemes) }
    }

    @Test func headerListsNeverPrintTheirValues() {
        var headers: HTTPHeaders = ["Authorization": "Bearer hunter2"]
        headers.add(name: "X-Device-Id", value: "d1")
        headers.set(name: "authorization", value: "Bearer other")
        #expect(headers["AUTHORIZATION"] == "Bearer other")
        #expect(headers.fields.count == 2)
        #expect(!"\(headers)".contains("Bearer"))
    }

    @Test func libwebsocketsLinesThatMayHoldCredentialsAreWithheld() {
        #expect(LogBridge.redacted("bad header Authorization: Bearer abc") == "[libwebsockets log line withheld: may contain credentials]")
        #expect(LogBridge.redacted("SSL error: unable to get local issuer certificate") == "SSL error: unable to get local issuer certificate")
    }

    @Test func closeReasonsAreCutOnACharacterBoundary() {
        let reason = String(repeating: "é", count: 100)  // 200 bytes
        let cut = LoopCore.closeReason(reason)
        #expect(cut.utf8.count <= 123)
        #expect(cut.utf8.count == 122)
    }
}

extension UnitTests {
    @Test func assemblerRestartsOnAFirstChunk() {
        var assembler = MessageAssembler(maxBytes: 16)
        _ = Array("stale".utf8).withUnsafeBytes { assembler.consume($0, isBinary: false, isFinal: false) }
        let event = Array("fresh".utf8).withUnsafeBytes { assembler.consume($0, isBinary: false, isFirst: true, isFinal: true) }
        #expect(event == .text("fresh"))
    }
}
